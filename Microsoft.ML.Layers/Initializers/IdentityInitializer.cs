using System;
using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// The identity matrix times a gain (Keras's <c>Identity</c>, <c>"identity"</c>, also exported as
    /// <c>IdentityInitializer</c>). Only 2-D shapes are accepted; a non-square shape gets ones on its main diagonal.
    /// </summary>
    [RegisterComponent("Identity", Aliases = new[] { "identity", "IdentityInitializer", "identity_initializer" })]
    public sealed class IdentityInitializer : Initializer
    {
        /// <summary>Creates the initializer (Keras's default gain is 1.0).</summary>
        /// <param name="gain">The factor applied to the identity matrix.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gain"/> is not finite.</exception>
        public IdentityInitializer(double gain = 1.0)
        {
            Arguments.Finite(gain, nameof(gain));
            Gain = gain;
        }

        /// <summary>The factor applied to the identity matrix.</summary>
        public double Gain { get; }

        /// <inheritdoc />
        /// <exception cref="ArgumentException">The shape is not two-dimensional.</exception>
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, dtype, "Identity");
            if (shape.Rank != 2)
            {
                throw new ArgumentException(
                    $"The Identity initializer can only be used for 2D matrices. Received: shape={shape} of rank {shape.Rank}.",
                    nameof(shape));
            }
            using var scope = torch.NewDisposeScope();
            // Keras: gain * eye(rows, columns, dtype), in place. In an integer dtype Keras's product is float32; it is cast back.
            using var gain = torch.tensor(Gain, torch.ScalarType.Float64);
            var result = DTypes.IsFloating(dtype)
                ? torch.eye(dimensions[0], dimensions[1], dtype).mul_(gain)
                : torch.eye(dimensions[0], dimensions[1], torch.ScalarType.Float32).mul_(gain).to(dtype);
            return result.MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("gain", Gain);
    }
}
