using System;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    /// <summary>Each optimizer's first steps against Keras's update rules worked by hand on one scalar weight.</summary>
    public sealed class OptimizerTests
    {
        /// <summary>A one-weight layer whose gradient we set directly.</summary>
        private sealed class OneWeight : Layer
        {
            public Parameter W = null!;

            public OneWeight(float value)
            {
                EnsureBuilt(new Shape(1, 1));
                W.Assign(tensor(new[] { value }));
            }

            protected override void Build(Shape inputShape) => W = AddWeight("w", new Shape(1), Initializer.Zeros());

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * W;
        }

        private static double[] Steps(Optimizer optimizer, float start, params float[] gradients)
        {
            var layer = new OneWeight(start);
            var values = new double[gradients.Length];
            for (int i = 0; i < gradients.Length; i++)
            {
                layer.W.grad = tensor(new[] { gradients[i] });
                optimizer.Apply(layer.Weights);
                values[i] = layer.W.item<float>();
            }
            return values;
        }

        [Fact]
        public void SgdWithMomentumAndNesterov()
        {
            Assert.Equal(1 - 0.1 * 2, Steps(new SGD(0.1), 1, 2)[0], 6);
            // m1 = -0.1*2 = -0.2; w = 1 - 0.2 = 0.8. m2 = 0.9*-0.2 - 0.1*2 = -0.38; w = 0.42.
            var momentum = Steps(new SGD(0.1, momentum: 0.9), 1, 2, 2);
            Assert.Equal(0.8, momentum[0], 6);
            Assert.Equal(0.42, momentum[1], 6);
            // Nesterov: w += 0.9*m - lr*g: 1 + 0.9*-0.2 - 0.2 = 0.62.
            Assert.Equal(0.62, Steps(new SGD(0.1, momentum: 0.9, nesterov: true), 1, 2)[0], 6);
        }

        [Fact]
        public void AdamPutsEpsilonOutsideTheRootWithKerasBiasCorrection()
        {
            const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7, g = 0.5;
            double m = (1 - b1) * g, v = (1 - b2) * g * g;
            double alpha = lr * Math.Sqrt(1 - b2) / (1 - b1);
            double expected = 1 - alpha * m / (Math.Sqrt(v) + eps);

            Assert.Equal(expected, Steps(new Adam(lr), 1, (float)g)[0], 6);
        }

        [Fact]
        public void AdamWDecaysTheWeightBeforeTheAdamStep()
        {
            const double lr = 0.1, wd = 0.5;
            double decayed = 1 - 1 * wd * lr;
            double adamStep = lr * Math.Sqrt(1 - 0.999) / (1 - 0.9) * (0.1 * 0.5) / (Math.Sqrt(0.001 * 0.25) + 1e-7);
            Assert.Equal(decayed - adamStep, Steps(new AdamW(lr, weightDecay: wd), 1, 0.5f)[0], 6);
        }

        [Fact]
        public void RmspropPutsEpsilonInsideTheRoot()
        {
            double v = 0.1 * 4;
            Assert.Equal(1 - 0.01 * 2 / Math.Sqrt(v + 1e-7), Steps(new RMSprop(0.01), 1, 2)[0], 6);
        }

        [Fact]
        public void AdagradStartsItsAccumulatorAtPointOne()
        {
            Assert.Equal(1 - 0.1 * 2 / Math.Sqrt(0.1 + 4 + 1e-7), Steps(new Adagrad(0.1), 1, 2)[0], 6);
        }

        [Fact]
        public void AdadeltaAndAdamax()
        {
            double accGrad = 0.05 * 4;
            double delta = -Math.Sqrt(1e-7) * 2 / Math.Sqrt(accGrad + 1e-7);
            Assert.Equal(1 + 1.0 * delta, Steps(new Adadelta(1.0), 1, 2)[0], 5);
            // Adamax: m = 0.1*2 = 0.2, u = 2: w -= 0.1 * 0.2 / ((1 - 0.9) * (2 + 1e-7)).
            Assert.Equal(1 - 0.1 * 0.2 / (0.1 * (2 + 1e-7)), Steps(new Adamax(0.1), 1, 2)[0], 6);
        }

        [Fact]
        public void NadamFollowsKerasMomentumSchedule()
        {
            const double lr = 0.1, b1 = 0.9, b2 = 0.999, g = 2;
            double u1 = b1 * (1 - 0.5 * Math.Pow(0.96, 1)), u2 = b1 * (1 - 0.5 * Math.Pow(0.96, 2));
            double m = (1 - b1) * g, v = (1 - b2) * g * g;
            double mHat = u2 * m / (1 - u1 * u2) + (1 - u1) * g / (1 - u1);
            double vHat = v / (1 - b2);
            Assert.Equal(1 - lr * mHat / (Math.Sqrt(vHat) + 1e-7), Steps(new Nadam(lr), 1, (float)g)[0], 5);
        }

        [Fact]
        public void ClipnormAndClipvalueLimitTheGradient()
        {
            Assert.Equal(1 - 0.1 * 1.0, Steps(new SGD(0.1, clipNorm: 1.0), 1, 5)[0], 6);
            Assert.Equal(1 - 0.1 * 0.5, Steps(new SGD(0.1, clipValue: 0.5), 1, 5)[0], 6);
        }

        [Fact]
        public void ClippingOptionsKeepKerasConfigKeysAndBindFromThem()
        {
            var config = new Adam(0.01, amsGrad: true, clipNorm: 0.5, clipValue: 2.0).GetConfig();

            Assert.Equal(
                "{\"name\":\"adam\",\"learning_rate\":0.01,\"weight_decay\":null,\"clipnorm\":0.5,\"global_clipnorm\":null,\"clipvalue\":2," +
                "\"beta_1\":0.9,\"beta_2\":0.999,\"epsilon\":1E-07,\"amsgrad\":true}",
                config.ToJson()["config"]!.ToJsonString());
            var restored = (Adam)ComponentRegistry.Instantiate(typeof(Adam), ComponentConfig.FromJson(config.ToJson()), typeof(Optimizer));
            Assert.Equal(0.5, restored.ClipNorm);
            Assert.Equal(2.0, restored.ClipValue);
            Assert.True(restored.AmsGrad);
            var global = ComponentConfig.FromJson("{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 0.1, \"global_clipnorm\": 3.0}}");
            Assert.Equal(3.0, ((SGD)ComponentRegistry.Instantiate(typeof(SGD), global, typeof(Optimizer))).GlobalClipNorm);
        }

        [Fact]
        public void SchedulesSetTheRateOfEachStep()
        {
            var schedule = new ExponentialDecay(0.1, decaySteps: 1, decayRate: 0.5);
            var values = Steps(new SGD(schedule), 0, 1, 1, 1);
            Assert.Equal(new[] { -0.1, -0.15, -0.175 }, values.Select(v => Math.Round(v, 6)));
            Assert.Equal(0.05, new CosineDecay(0.1, decaySteps: 10).At(5), 9);
            Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI * 0.3)), new CosineDecay(0.1, decaySteps: 10).At(3), 9);
            var piecewise = new PiecewiseConstantDecay(new long[] { 2, 4 }, new[] { 1.0, 0.5, 0.1 });
            Assert.Equal(new[] { 1.0, 1.0, 0.5, 0.1 }, new long[] { 0, 2, 3, 5 }.Select(piecewise.At));
            Assert.Equal(0.1 * Math.Pow(0.5, 1), new ExponentialDecay(0.1, 10, 0.5, staircase: true).At(19), 9);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheReceivedValue()
        {
            Assert.Contains("learning_rate=-1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(-1.0)).Message);
            Assert.Contains("momentum=2", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(0.1, momentum: 2)).Message);
            Assert.Contains("optimizer='adamm'", Assert.Throws<ArgumentException>(() => Optimizer.Get("adamm")).Message);
        }
    }
}
