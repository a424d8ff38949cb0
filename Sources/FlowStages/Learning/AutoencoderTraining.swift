import FlowHDF5
import FlowLinalg
import FlowNN

/// Trains an `AutoencoderModel` in up to two checkpointed phases:
///
/// 1. "joint": γ₁·reconstruction + γ₂·R(ξ) over the encoder, the gᵢ and (when γ₁ > 0) the decoder;
/// 2. "decoder", only when γ₁ = 0: the decoder alone by reconstruction with ξ held fixed. The
///    minimizer of E‖dec(ξ(x)) − x‖² over decoders is the conditional mean E[x | ξ(x) = z]
///    (Lelièvre et al. 2024, §2), so the decoder of a purely regularized encoder is still the
///    one the theory describes. The latent values are computed once: ξ does not change.
struct AutoencoderTraining {
    let training: TrainingSpec<EigenLearningDefaults>
    /// Epochs of the decoder fit (phase 2).
    let decoderEpochs: Int
    /// Seed of the sample order, the validation split and the shuffling (the same split in both
    /// phases).
    let seed: UInt64

    struct Result {
        let joint: LossHistory
        /// The decoder fit's losses when there was one (γ₁ = 0).
        let decoder: LossHistory?
    }

    func run(_ model: AutoencoderModel, on samples: SampleSet, session: PhasedTraining) throws -> Result {
        let joint = try trainJointly(model, on: samples, session: session)
        guard model.reconstructionWeight == 0 else { return Result(joint: joint, decoder: nil) }
        session.monitor.log("γ1 = 0: fitting the decoder by reconstruction with the encoder fixed (\(decoderEpochs) epochs)")
        return Result(joint: joint, decoder: try fitDecoder(model, on: samples, session: session))
    }

    /// Phase 1: the joint loss over `model.jointParameters`.
    func trainJointly(_ model: AutoencoderModel, on samples: SampleSet, session: PhasedTraining) throws -> LossHistory {
        let phase = try training.phase("joint", parameters: model.jointParameters, samples: samples.count, seed: seed)
        let data = samples.shuffled(seed: seed)
        return try session.run(phase) { tape, batch in
            model.jointTerms(tape.constant(rowsOf: data.x, batch), sampleWeights: data.weights(of: batch))
        }
    }

    /// Phase 2: the decoder alone, on the latent values of the (fixed) encoder.
    func fitDecoder(_ model: AutoencoderModel, on samples: SampleSet, session: PhasedTraining) throws -> LossHistory {
        let data = samples.shuffled(seed: seed)
        let latent = model.encoder.values(data.x)
        let phase = try training.phase("decoder", parameters: model.decoder.parameters, samples: samples.count, seed: seed,
                                       epochs: decoderEpochs)
        return try session.run(phase) { tape, batch in
            model.decoderTerms(latent: tape.constant(rowsOf: latent, batch), target: tape.constant(rowsOf: data.x, batch),
                               sampleWeights: data.weights(of: batch))
        }
    }
}
