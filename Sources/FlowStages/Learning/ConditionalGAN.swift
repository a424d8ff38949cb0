import FlowLinalg
import FlowMD
import FlowNN

/// The conditional GAN of Cava et al. ("Towards conditional generation of minimal action potential
/// pathways for molecular dynamics"): a generator G(t, z) → 3N Cartesian coordinates (Å) from a
/// normalized time t ∈ [0, 1] and a standard normal noise z, and a discriminator D(t, τ(x)) on the
/// time and the torsion features τ of a frame, real or generated (optionally also its bond
/// lengths).
///
/// The discriminator's last layer is linear (a logit ℓ) and the loss is the binary cross entropy
/// written on logits, −log σ(ℓ) = softplus(−ℓ) and −log(1 − σ(ℓ)) = softplus(ℓ): the paper's
/// sigmoid output followed by BCE, without its overflow when σ saturates.
final class ConditionalGAN {
    let generator: MLP
    let discriminator: MLP
    let features: DiscriminatorFeatures

    init(generator: MLP, discriminator: MLP, features: DiscriminatorFeatures) {
        precondition(generator.inputDimension >= 1 && discriminator.inputDimension == 1 + features.width
                     && discriminator.outputDimension == 1, "generator (t, z) and discriminator (t, features) → 1")
        self.generator = generator
        self.discriminator = discriminator
        self.features = features
    }

    var noiseDimension: Int { generator.inputDimension - 1 }

    /// Generated frames (batch × 3N) at `times` from the rows of `noise` (batch × noiseDimension).
    func frames(on tape: Tape, times: [Double], noise: Matrix) -> Variable {
        precondition(noise.rows == times.count && noise.cols == noiseDimension, "one noise row per time")
        var input = [Double]()
        input.reserveCapacity(times.count * (1 + noiseDimension))
        for (s, t) in times.enumerated() {
            input.append(t)
            input += noise.storage[(s * noise.cols)..<((s + 1) * noise.cols)]
        }
        return generator(tape.constant(Matrix(rows: times.count, cols: 1 + noiseDimension, storage: input)))
    }

    /// Discriminator logits (batch × 1) of `frames` at `times`.
    func logits(_ frames: Variable, times: [Double]) -> Variable {
        let tape = frames.tape
        let t = tape.constant(Matrix(rows: times.count, cols: 1, storage: times))
        return discriminator(tape.concatColumns([t, features(frames)]))
    }

    /// Mean binary cross entropy of logits against one label for the whole batch.
    static func crossEntropy(_ logits: Variable, real: Bool) -> Variable {
        (real ? -logits : logits).softplus().mean()
    }
}
