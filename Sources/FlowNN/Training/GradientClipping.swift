/// Global gradient-norm clipping (Pascanu, Mikolov & Bengio, "On the difficulty of training
/// recurrent neural networks", 2013), as `torch.nn.utils.clip_grad_norm_`: if the L2 norm of all
/// gradients together exceeds `maxNorm`, every gradient is scaled by maxNorm / (norm + 10⁻⁶).
public enum GradientClipping {
    /// Clips in place and returns the norm before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
        var sum = 0.0
        for p in parameters {
            for i in 0..<p.count { sum += p.gradient[i] * p.gradient[i] }
        }
        let norm = sum.squareRoot()
        let scale = maxNorm / (norm + 1e-6)
        if scale < 1 {
            for p in parameters {
                for i in 0..<p.count { p.gradient[i] *= scale }
            }
        }
        return norm
    }
}
