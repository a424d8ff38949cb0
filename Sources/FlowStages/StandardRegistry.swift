import FlowCore

/// The stage and system kinds that ship with flow.
public enum StandardRegistry {
    public static let shared: StageRegistry = make()

    public static func make() -> StageRegistry {
        let r = StageRegistry()
        r.register(system: MuellerBrownSystem.self)
        r.register(system: LennardJones7System.self)
        r.register(system: HarmonicSystem.self)
        r.register(system: DoubleWellSystem.self)
        r.register(system: CharmmSystem.self)
        r.register(SimulateStage.self)
        r.register(LoadStage.self)
        r.register(StringStage.self)
        r.register(EigenfunctionsStage.self)
        r.register(AutoencoderStage.self)
        r.register(FeaturesStage.self)
        r.register(AugmentStage.self)
        r.register(CGANStage.self)
        r.register(TransitionRatesStage.self)
        r.register(ReportStage.self)
        r.register(DiffusionNetStage.self)
        r.register(ManifoldStage.self)
        r.register(OrthogonalCVsStage.self)
        r.register(StateSeparationStage.self)
        r.register(ExportStage.self)
        r.register(HistogramStage.self)
        r.register(DiffusionMapStage.self)
        r.register(GridSpectrumStage.self)
        r.register(EffectiveDynamicsStage.self)
        r.register(CommandStage.self)
        return r
    }
}
