using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Every registered built-in layer, built with non-default options (every fixed choice spelled out), plus a few models.
    /// The configs of these entries were written to <c>Fixtures/Api1/configs</c> by the code before the public API change
    /// (issue 13); <see cref="ApiCompatibilityTests"/> checks that today's code still writes exactly those bytes.
    /// Keep the construction literal: API renames rewrite it in place, and the fixtures never change.
    /// </summary>
    public static class ApiCompatibilityCatalogue
    {
        /// <summary>The name of the Lambda function registered for the catalogue.</summary>
        public const string LambdaFunction = "api1_square";

        /// <summary>Every entry: a unique file name and the layer or model (built when its config records build info).</summary>
        public static IReadOnlyList<(string Name, Layer Layer)> Entries()
        {
            Lambda.Register(LambdaFunction, x => x * x);
            var entries = new List<(string Name, Layer Layer)>();
            void Add(string name, Layer layer) => entries.Add((name, layer));
            void Built(string name, Layer layer, params long[] inputShape)
            {
                layer.EnsureBuilt(new Shape(inputShape));
                entries.Add((name, layer));
            }
            void BuiltMany(string name, Layer layer, params long[][] inputShapes)
            {
                var shapes = new List<Shape>();
                foreach (var shape in inputShapes)
                    shapes.Add(new Shape(shape));
                layer.EnsureBuilt(shapes);
                entries.Add((name, layer));
            }

            // Activation layers.
            Add("elu", new ELU(alpha: 0.5, name: "elu"));
            Add("leaky_relu", new LeakyReLU(negativeSlope: 0.2, name: "leaky_relu"));
            Built("prelu", new PReLU(alphaInitializer: "ones", alphaRegularizer: "l2", alphaConstraint: "non_neg", sharedAxes: new[] { 1 },
                name: "prelu"), 2, 3, 4);
            Add("relu", new ReLU(maxValue: 6.0, negativeSlope: 0.1, threshold: 0.5, name: "relu"));
            Add("softmax", new Softmax(axis: 1, name: "softmax"));
            Add("softmax_axes", new Softmax(axis: new[] { 1, 2 }, name: "softmax_axes"));
            Add("thresholded_relu", new ThresholdedReLU(theta: 0.7, name: "thresholded_relu"));

            // Attention.
            BuiltMany("attention_dot", new Attention(useScale: true, scoreMode: AttentionScoreMode.Dot, dropout: 0.1, seed: 3, name: "attention_dot"),
                new long[] { 2, 3, 4 }, new long[] { 2, 5, 4 });
            BuiltMany("attention_concat", new Attention(useScale: false, scoreMode: AttentionScoreMode.Concat, name: "attention_concat"),
                new long[] { 2, 3, 4 }, new long[] { 2, 5, 4 });
            BuiltMany("additive_attention", new AdditiveAttention(useScale: false, dropout: 0.2, seed: 4, name: "additive_attention"),
                new long[] { 2, 3, 4 }, new long[] { 2, 5, 4 });
            BuiltMany("multi_head_attention", new MultiHeadAttention(numHeads: 2, keyDim: 3, valueDim: 5, dropout: 0.1, useBias: false,
                outputShape: new[] { 6 }, attentionAxes: new[] { 1 }, kernelInitializer: Initializer.GlorotNormal(seed: 5),
                biasInitializer: "zeros", kernelRegularizer: Regularizer.L2(0.02), kernelConstraint: "unit_norm", seed: 7,
                name: "multi_head_attention"), new long[] { 2, 3, 4 }, new long[] { 2, 5, 4 });
            BuiltMany("group_query_attention", new GroupQueryAttention(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2, dropout: 0.1,
                useBias: false, kernelInitializer: Initializer.GlorotNormal(seed: 6), kernelRegularizer: Regularizer.L2(0.02), seed: 8,
                name: "group_query_attention"), new long[] { 2, 3, 4 }, new long[] { 2, 5, 4 });

            // Convolution.
            Built("conv1d_causal", new Conv1D(4, 3, strides: 1, padding: Padding.Causal, dataFormat: DataFormat.ChannelsLast, dilationRate: 2,
                activation: "relu", kernelInitializer: "he_normal", biasInitializer: Initializer.Constant(0.1),
                kernelRegularizer: "l1", biasRegularizer: Regularizer.L1L2(l1: 0.01, l2: 0.02), activityRegularizer: "l2",
                kernelConstraint: Constraint.MaxNorm(3.0, axis: 1), biasConstraint: "non_neg", name: "conv1d_causal"), 2, 10, 3);
            Built("conv1d_channels_first", new Conv1D(4, 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsFirst, groups: 1,
                useBias: false, name: "conv1d_channels_first"), 2, 3, 10);
            Built("conv2d_same", new Conv2D(4, (3, 2), strides: (1, 1), padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                dilationRate: (2, 1), groups: 2, activation: Activations.Get("tanh"), kernelInitializer: Initializer.HeUniform(seed: 1),
                biasInitializer: "ones", kernelConstraint: Constraint.MinMaxNorm(0.1, 2.0, 0.5, axis: 0), name: "conv2d_same"),
                2, 6, 6, 4);
            Built("conv2d_channels_first", new Conv2D(3, 3, strides: 2, padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                name: "conv2d_channels_first"), 2, 2, 7, 7);
            Built("conv2d_transpose", new Conv2DTranspose(3, 3, strides: 2, padding: Padding.Same, outputPadding: 1,
                dataFormat: DataFormat.ChannelsLast, activation: "sigmoid", kernelInitializer: "lecun_uniform", name: "conv2d_transpose"),
                2, 4, 4, 2);
            Built("conv2d_transpose_channels_first", new Conv2DTranspose(2, (2, 3), padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                dilationRate: 1, useBias: false, name: "conv2d_transpose_channels_first"), 2, 3, 4, 4);
            Built("conv3d", new Conv3D(2, 2, strides: (1, 2, 1), padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                kernelInitializer: Initializer.TruncatedNormal(mean: 0.1, stddev: 0.2, seed: 2), name: "conv3d"), 2, 4, 4, 4, 1);
            Built("conv3d_channels_first", new Conv3D(2, 2, padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                name: "conv3d_channels_first"), 2, 1, 4, 4, 4);
            Built("depthwise_conv2d", new DepthwiseConv2D(3, strides: 1, padding: Padding.Same, depthMultiplier: 2,
                dataFormat: DataFormat.ChannelsLast, dilationRate: 2, activation: "relu6", depthwiseInitializer: "glorot_normal",
                depthwiseRegularizer: "l2", depthwiseConstraint: "max_norm", name: "depthwise_conv2d"), 2, 6, 6, 3);
            Built("depthwise_conv2d_channels_first", new DepthwiseConv2D((2, 2), strides: 2, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, useBias: false, name: "depthwise_conv2d_channels_first"), 2, 3, 6, 6);
            Built("separable_conv2d", new SeparableConv2D(4, 3, strides: 1, padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                depthMultiplier: 2, activation: "elu", depthwiseInitializer: "orthogonal",
                pointwiseInitializer: Initializer.VarianceScaling(scale: 2.0, mode: VarianceScalingMode.FanAverage, distribution: VarianceScalingDistribution.Uniform, seed: 9),
                pointwiseRegularizer: Regularizer.L1(0.03), pointwiseConstraint: Constraint.UnitNorm(axis: 2),
                name: "separable_conv2d"), 2, 5, 5, 2);
            Built("separable_conv2d_channels_first", new SeparableConv2D(2, 2, strides: 2, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, name: "separable_conv2d_channels_first"), 2, 2, 6, 6);
            // Issue 19: the 1-D and 3-D members of the convolution families (fixtures written by the code that added them).
            Built("conv1d_transpose", new Conv1DTranspose(3, 3, strides: 2, padding: Padding.Same, outputPadding: 1,
                dataFormat: DataFormat.ChannelsLast, activation: "relu", kernelInitializer: "he_normal", name: "conv1d_transpose"), 2, 5, 2);
            Built("conv3d_transpose_channels_first", new Conv3DTranspose(2, (2, 3, 2), strides: (2, 1, 2), padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, useBias: false, name: "conv3d_transpose_channels_first"), 2, 3, 2, 3, 2);
            Built("depthwise_conv1d", new DepthwiseConv1D(3, strides: 2, padding: Padding.Same, depthMultiplier: 2,
                dataFormat: DataFormat.ChannelsLast, activation: "tanh", depthwiseRegularizer: "l2", name: "depthwise_conv1d"), 2, 7, 3);
            Built("separable_conv1d_channels_first", new SeparableConv1D(4, 3, strides: 1, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, dilationRate: 2, depthMultiplier: 2, pointwiseConstraint: "non_neg",
                name: "separable_conv1d_channels_first"), 2, 2, 9);

            // Core.
            Add("activation_by_name", new ActivationLayer("gelu", name: "activation_by_name"));
            Add("activation_by_object", new ActivationLayer(Activations.Softmax, name: "activation_by_object"));
            Built("dense", new Dense(5, activation: "swish", useBias: true, kernelInitializer: "glorot_uniform",
                biasInitializer: Initializer.RandomNormal(mean: 0.5, stddev: 0.1, seed: 11), kernelRegularizer: "l1l2",
                biasRegularizer: Regularizer.L2(0.05), activityRegularizer: Regularizer.L1(0.001), kernelConstraint: "min_max_norm",
                biasConstraint: Constraint.NonNeg(), name: "dense"), 2, 3);
            Built("dense_float64", new Dense(2, activation: Activations.Linear, useBias: false,
                kernelInitializer: Initializer.RandomUniform(minVal: -0.2, maxVal: 0.3, seed: 12), name: "dense_float64",
                trainable: false, dtype: ScalarType.Float64), 2, 3);
            Built("einsum_dense", new EinsumDense("abc,cd->abd", outputShape: new Shape(Shape.Unknown, 6), activation: "relu",
                biasAxes: "d", kernelInitializer: Initializer.LecunNormal(seed: 13), name: "einsum_dense"), 2, 3, 4);
            Built("embedding", new Embedding(10, 3, embeddingsInitializer: Initializer.RandomUniform(seed: 14),
                embeddingsRegularizer: "l2", embeddingsConstraint: "unit_norm", maskZero: true, inputLength: 4, name: "embedding"),
                2, 4);
            Built("reversible_embedding", new ReversibleEmbedding(10, 3, tieWeights: false,
                embeddingsInitializer: Initializer.RandomUniform(seed: 15), maskZero: true, reverseDtype: ScalarType.Float32,
                logitSoftCap: 30.0, name: "reversible_embedding"), 2, 4);
            Add("identity", new Identity(name: "identity"));
            Add("input_layer", new InputLayer(shape: new Shape(4, 3), batchSize: 8, dtype: ScalarType.Float64, name: "input_layer"));
            Add("input_layer_batch_shape", new InputLayer(batchShape: new Shape(Shape.Unknown, 5), name: "input_layer_batch_shape"));
            Add("lambda", new Lambda(LambdaFunction, outputShape: new Shape(3), name: "lambda"));
            Add("masking", new Masking(maskValue: -1.0, name: "masking"));

            // Merging.
            BuiltMany("add", new Add(name: "add"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("average", new Average(name: "average"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("concatenate", new Concatenate(axis: 1, name: "concatenate"), new long[] { 2, 3 }, new long[] { 2, 4 });
            BuiltMany("dot", new Dot(axes: new[] { 1, 1 }, normalize: true, name: "dot"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("maximum", new Maximum(name: "maximum"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("minimum", new Minimum(name: "minimum"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("multiply", new Multiply(name: "multiply"), new long[] { 2, 3 }, new long[] { 2, 3 });
            BuiltMany("subtract", new Subtract(name: "subtract"), new long[] { 2, 3 }, new long[] { 2, 3 });

            // Normalization.
            Built("batch_normalization", new BatchNormalization(axis: 1, momentum: 0.9, epsilon: 1e-4, center: false, scale: true,
                betaInitializer: "ones", gammaInitializer: Initializer.Constant(2.0), movingMeanInitializer: "zeros",
                movingVarianceInitializer: "ones", gammaRegularizer: "l2", gammaConstraint: "non_neg", synchronized: false,
                name: "batch_normalization"), 2, 3, 4);
            Built("group_normalization", new GroupNormalization(groups: 2, axis: -1, epsilon: 1e-5, center: true, scale: false,
                betaInitializer: "zeros", betaRegularizer: Regularizer.L2(0.1), betaConstraint: Constraint.MaxNorm(1.5),
                name: "group_normalization"), 2, 3, 4);
            Built("layer_normalization", new LayerNormalization(axis: new[] { -1 }, epsilon: 1e-6, center: false, scale: true,
                gammaInitializer: "ones", rmsScaling: true, name: "layer_normalization"), 2, 3, 4);
            Built("rms_normalization", new RMSNormalization(axis: new[] { 2, 1 }, epsilon: 1e-5, name: "rms_normalization"), 2, 3, 4);
            Built("spectral_normalization", new SpectralNormalization(new Dense(3, kernelInitializer: Initializer.GlorotNormal(seed: 16),
                name: "spectral_normalization_dense"), powerIterations: 2, name: "spectral_normalization"), 2, 4);
            Built("unit_normalization", new UnitNormalization(axis: new[] { 1, 2 }, name: "unit_normalization"), 2, 3, 4);
            Built("normalization", new Normalization(axis: -1, mean: new[] { 1.0, 2.0, 3.0 }, variance: new[] { 4.0, 5.0, 6.0 },
                invert: false, name: "normalization"), 2, 3);
            Built("normalization_invert", new Normalization(axis: null, mean: 0.5, variance: 2.0, invert: true,
                name: "normalization_invert"), 2, 3);
            Add("integer_lookup", new IntegerLookup(numOovIndices: 2, maskToken: 0, vocabulary: new long[] { 10, 20, 30 },
                name: "integer_lookup"));
            Add("integer_lookup_multi_hot", new IntegerLookup(maxTokens: 6, vocabulary: new long[] { 4, 5 }, padToMaxTokens: true,
                outputMode: EncodingMode.MultiHot, name: "integer_lookup_multi_hot"));
            Add("category_encoding", new CategoryEncoding(numTokens: 4, outputMode: EncodingMode.Count, name: "category_encoding"));
            Add("discretization", new Discretization(binBoundaries: new[] { 0.0, 1.5 }, outputMode: EncodingMode.OneHot,
                name: "discretization"));
            Add("hashing", new Hashing(numBins: 8, maskValue: 0, salt: new long[] { 133, 137 }, name: "hashing"));
            Built("rescaling", new Rescaling(scale: 1 / 127.5, offset: -1, name: "rescaling"), 2, 4, 4, 3);
            Built("resizing", new Resizing(height: 3, width: 5, interpolation: Interpolation.Bicubic, cropToAspectRatio: true,
                name: "resizing"), 2, 4, 4, 3);
            Built("center_crop", new CenterCrop(height: 2, width: 3, dataFormat: DataFormat.ChannelsFirst, name: "center_crop"),
                2, 3, 4, 4);

            // Pooling.
            Built("average_pooling1d", new AveragePooling1D(poolSize: 3, strides: 2, padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                name: "average_pooling1d"), 2, 8, 3);
            Built("average_pooling1d_channels_first", new AveragePooling1D(poolSize: 2, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, name: "average_pooling1d_channels_first"), 2, 3, 8);
            Built("average_pooling2d", new AveragePooling2D(poolSize: (2, 3), strides: (1, 2), padding: Padding.Same,
                dataFormat: DataFormat.ChannelsLast, name: "average_pooling2d"), 2, 6, 6, 2);
            Built("average_pooling2d_channels_first", new AveragePooling2D(poolSize: 2, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, name: "average_pooling2d_channels_first"), 2, 2, 6, 6);
            Built("average_pooling3d", new AveragePooling3D(poolSize: 2, strides: 1, padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                name: "average_pooling3d"), 2, 4, 4, 4, 1);
            Built("average_pooling3d_channels_first", new AveragePooling3D(poolSize: (2, 2, 1), padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, name: "average_pooling3d_channels_first"), 2, 1, 4, 4, 4);
            Built("max_pooling1d", new MaxPooling1D(poolSize: 3, strides: 1, padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                name: "max_pooling1d"), 2, 8, 3);
            Built("max_pooling1d_channels_first", new MaxPooling1D(poolSize: 2, strides: 2, padding: Padding.Valid,
                dataFormat: DataFormat.ChannelsFirst, name: "max_pooling1d_channels_first"), 2, 3, 8);
            Built("max_pooling2d", new MaxPooling2D(poolSize: (2, 2), strides: (2, 1), padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                name: "max_pooling2d"), 2, 6, 6, 2);
            Built("max_pooling2d_channels_first", new MaxPooling2D(poolSize: 3, padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                name: "max_pooling2d_channels_first"), 2, 2, 6, 6);
            Built("max_pooling3d", new MaxPooling3D(poolSize: 2, strides: (1, 1, 2), padding: Padding.Same, dataFormat: DataFormat.ChannelsLast,
                name: "max_pooling3d"), 2, 4, 4, 4, 1);
            Built("max_pooling3d_channels_first", new MaxPooling3D(poolSize: 2, padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                name: "max_pooling3d_channels_first"), 2, 1, 4, 4, 4);
            Built("global_average_pooling1d", new GlobalAveragePooling1D(dataFormat: DataFormat.ChannelsFirst, keepDims: true,
                name: "global_average_pooling1d"), 2, 3, 8);
            Built("global_average_pooling2d", new GlobalAveragePooling2D(dataFormat: DataFormat.ChannelsLast, keepDims: true,
                name: "global_average_pooling2d"), 2, 6, 6, 2);
            Built("global_max_pooling1d", new GlobalMaxPooling1D(dataFormat: DataFormat.ChannelsLast, keepDims: false,
                name: "global_max_pooling1d"), 2, 8, 3);
            Built("global_max_pooling2d", new GlobalMaxPooling2D(dataFormat: DataFormat.ChannelsFirst, keepDims: true,
                name: "global_max_pooling2d"), 2, 2, 6, 6);
            // Issue 19: 3-D global poolings and the adaptive poolings (fixtures written by the code that added them).
            Built("global_average_pooling3d", new GlobalAveragePooling3D(dataFormat: DataFormat.ChannelsLast, keepDims: true,
                name: "global_average_pooling3d"), 2, 3, 4, 2, 2);
            Built("global_max_pooling3d_channels_first", new GlobalMaxPooling3D(dataFormat: DataFormat.ChannelsFirst, keepDims: false,
                name: "global_max_pooling3d_channels_first"), 2, 2, 3, 4, 2);
            Built("adaptive_average_pooling1d", new AdaptiveAveragePooling1D(3, dataFormat: DataFormat.ChannelsLast,
                name: "adaptive_average_pooling1d"), 2, 7, 2);
            Built("adaptive_average_pooling2d_channels_first", new AdaptiveAveragePooling2D((2, 3), dataFormat: DataFormat.ChannelsFirst,
                name: "adaptive_average_pooling2d_channels_first"), 2, 2, 5, 6);
            Built("adaptive_average_pooling3d", new AdaptiveAveragePooling3D(2, dataFormat: DataFormat.ChannelsLast,
                name: "adaptive_average_pooling3d"), 2, 4, 4, 4, 1);
            Built("adaptive_max_pooling1d_channels_first", new AdaptiveMaxPooling1D(4, dataFormat: DataFormat.ChannelsFirst,
                name: "adaptive_max_pooling1d_channels_first"), 2, 3, 9);
            Built("adaptive_max_pooling2d", new AdaptiveMaxPooling2D((3, 1), dataFormat: DataFormat.ChannelsLast,
                name: "adaptive_max_pooling2d"), 2, 5, 4, 2);
            Built("adaptive_max_pooling3d_channels_first", new AdaptiveMaxPooling3D((1, 2, 3), dataFormat: DataFormat.ChannelsFirst,
                name: "adaptive_max_pooling3d_channels_first"), 2, 1, 3, 4, 5);

            // Recurrent.
            Built("simple_rnn", new SimpleRNN(3, activation: "relu", useBias: false, kernelInitializer: "glorot_normal",
                recurrentInitializer: Initializer.Orthogonal(gain: 0.5, seed: 15), kernelRegularizer: "l2", recurrentRegularizer: "l1",
                kernelConstraint: "max_norm", recurrentConstraint: Constraint.UnitNorm(), dropout: 0.1, recurrentDropout: 0.2,
                returnSequences: true, returnState: false, goBackwards: true, stateful: false, unroll: true, seed: 16,
                zeroOutputForMask: true, name: "simple_rnn"), 2, 5, 4);
            Built("lstm", new LSTM(3, activation: "tanh", recurrentActivation: "hard_sigmoid", useBias: true,
                kernelInitializer: Initializer.GlorotUniform(seed: 17), recurrentInitializer: "orthogonal", biasInitializer: "zeros",
                unitForgetBias: false, biasRegularizer: Regularizer.L1L2(0.1, 0.2), activityRegularizer: "l2",
                biasConstraint: "non_neg", dropout: 0.2, recurrentDropout: 0.1, seed: 18, returnSequences: false, returnState: true,
                goBackwards: false, stateful: false, unroll: false, zeroOutputForMask: false, implementation: 1, name: "lstm"),
                2, 5, 4);
            Built("gru", new GRU(3, activation: "softsign", recurrentActivation: Activations.Get("sigmoid"), useBias: true,
                kernelInitializer: "he_uniform", recurrentInitializer: Initializer.Identity(gain: 0.9), biasInitializer: "ones",
                dropout: 0.1, seed: 19, returnSequences: true, goBackwards: true, resetAfter: false, implementation: 1, name: "gru"),
                2, 5, 4);
            Built("conv_lstm2d", new ConvLSTM2D(2, 3, strides: 1, padding: Padding.Same, dataFormat: DataFormat.ChannelsLast, dilationRate: 1,
                activation: "tanh", recurrentActivation: "sigmoid", kernelInitializer: "glorot_uniform",
                recurrentInitializer: "orthogonal", unitForgetBias: true, kernelRegularizer: "l2", dropout: 0.1, seed: 20,
                returnSequences: true, goBackwards: false, name: "conv_lstm2d"), 2, 3, 5, 5, 2);
            Built("conv_lstm2d_channels_first", new ConvLSTM2D(2, (2, 2), strides: 1, padding: Padding.Valid, dataFormat: DataFormat.ChannelsFirst,
                unitForgetBias: false, returnSequences: false, name: "conv_lstm2d_channels_first"), 2, 3, 2, 5, 5);
            Built("conv_lstm1d", new ConvLSTM1D(2, 3, strides: 2, padding: Padding.Same, dilationRate: 1, recurrentDropout: 0.1, seed: 21,
                returnSequences: true, name: "conv_lstm1d"), 2, 3, 6, 2);
            Built("conv_lstm3d", new ConvLSTM3D(2, (2, 1, 2), dataFormat: DataFormat.ChannelsFirst, unitForgetBias: false, goBackwards: true,
                name: "conv_lstm3d"), 2, 3, 2, 3, 3, 3);
            Built("bidirectional_concat", new Bidirectional(new LSTM(3, returnSequences: true, name: "bidirectional_concat_lstm"),
                mergeMode: MergeMode.Concat, name: "bidirectional_concat"), 2, 5, 4);
            Built("bidirectional_sum", new Bidirectional(new GRU(3, name: "bidirectional_sum_gru"), mergeMode: MergeMode.Sum,
                name: "bidirectional_sum"), 2, 5, 4);
            Built("bidirectional_mul", new Bidirectional(new SimpleRNN(3, name: "bidirectional_mul_rnn"), mergeMode: MergeMode.Multiply,
                name: "bidirectional_mul"), 2, 5, 4);
            Built("bidirectional_ave", new Bidirectional(new SimpleRNN(3, returnSequences: true, name: "bidirectional_ave_rnn"),
                mergeMode: MergeMode.Average, backwardLayer: new SimpleRNN(3, returnSequences: true, goBackwards: true,
                name: "bidirectional_ave_backward"), name: "bidirectional_ave"), 2, 5, 4);
            Built("bidirectional_none", new Bidirectional(new LSTM(2, name: "bidirectional_none_lstm"), mergeMode: MergeMode.None,
                name: "bidirectional_none"), 2, 5, 4);
            // RNN with cells (issue 19, new layers: fixtures written by the code that added them).
            Built("rnn_lstm_cell", new RNN(new LSTMCell(3, recurrentActivation: "hard_sigmoid", unitForgetBias: false, kernelRegularizer: "l2",
                dropout: 0.1, seed: 21, name: "rnn_lstm_cell_cell"), returnSequences: true, goBackwards: true, unroll: true,
                name: "rnn_lstm_cell"), 2, 5, 4);
            Built("lstm_cell", new LSTMCell(3, name: "lstm_cell"), 2, 4);
            Built("gru_cell", new GRUCell(3, activation: "softsign", resetAfter: false, biasInitializer: "ones", name: "gru_cell"), 2, 4);
            Built("simple_rnn_cell", new SimpleRNNCell(3, activation: "relu", useBias: false, recurrentDropout: 0.2, name: "simple_rnn_cell"),
                2, 4);
            Built("stacked_rnn_cells", new StackedRNNCells(new RecurrentCell[] { new SimpleRNNCell(4, name: "stacked_rnn_cells_simple"),
                new GRUCell(3, name: "stacked_rnn_cells_gru") }, name: "stacked_rnn_cells"), 2, 4);
            Built("time_distributed", new TimeDistributed(new Dense(3, activation: "relu", name: "time_distributed_dense"),
                name: "time_distributed"), 2, 4, 5);

            // Augmentation.
            Add("random_flip", new RandomFlip(FlipMode.Horizontal, seed: 31, name: "random_flip"));
            Add("random_rotation", new RandomRotation((-0.1, 0.2), fillMode: FillMode.Constant, interpolation: Interpolation.Nearest,
                seed: 32, fillValue: 0.5, dataFormat: DataFormat.ChannelsFirst, name: "random_rotation"));
            Add("random_zoom", new RandomZoom(0.2, widthFactor: null, fillMode: FillMode.Wrap, interpolation: Interpolation.Bilinear,
                seed: 33, fillValue: 0.0, dataFormat: DataFormat.ChannelsLast, name: "random_zoom"));
            Add("random_translation", new RandomTranslation((-0.1, 0.3), (0.2, 0.1), fillMode: FillMode.Nearest,
                interpolation: Interpolation.Nearest, seed: 34, fillValue: 1.0, dataFormat: DataFormat.ChannelsLast,
                name: "random_translation"));
            Add("random_contrast", new RandomContrast(0.3, valueRange: new[] { 0.0, 1.0 }, seed: 35, name: "random_contrast"));
            Add("random_brightness", new RandomBrightness((-0.2, 0.1), valueRange: new[] { 255.0, 0.0 }, seed: 36,
                name: "random_brightness"));

            // Regularization.
            Add("activity_regularization", new ActivityRegularization(l1: 0.01, l2: 0.02, name: "activity_regularization"));
            Add("alpha_dropout", new AlphaDropout(0.2, noiseShape: new Shape(Shape.Unknown, 1), seed: 21, name: "alpha_dropout"));
            Add("dropout", new Dropout(0.3, noiseShape: new Shape(Shape.Unknown, 1, 4), seed: 22, name: "dropout"));
            Add("gaussian_dropout", new GaussianDropout(0.4, seed: 23, name: "gaussian_dropout"));
            Add("gaussian_noise", new GaussianNoise(0.5, seed: 24, name: "gaussian_noise"));
            Add("spatial_dropout1d", new SpatialDropout1D(0.1, seed: 25, name: "spatial_dropout1d"));
            Add("spatial_dropout2d", new SpatialDropout2D(0.2, dataFormat: DataFormat.ChannelsFirst, seed: 26, name: "spatial_dropout2d"));
            Add("spatial_dropout3d", new SpatialDropout3D(0.3, dataFormat: DataFormat.ChannelsLast, seed: 27, name: "spatial_dropout3d"));

            // Reshaping.
            Built("cropping1d", new Cropping1D(cropping: (1, 2), name: "cropping1d"), 2, 8, 3);
            Built("cropping2d", new Cropping2D(((1, 0), (2, 1)), dataFormat: DataFormat.ChannelsFirst, name: "cropping2d"), 2, 2, 6, 6);
            Built("cropping2d_tuple", new Cropping2D(cropping: (1, 2), dataFormat: DataFormat.ChannelsLast, name: "cropping2d_tuple"),
                2, 6, 6, 2);
            Built("cropping3d", new Cropping3D(((1, 0), (0, 1), (1, 1)), dataFormat: DataFormat.ChannelsLast, name: "cropping3d"),
                2, 4, 4, 4, 1);
            Built("cropping3d_channels_first", new Cropping3D(cropping: 1, dataFormat: DataFormat.ChannelsFirst,
                name: "cropping3d_channels_first"), 2, 1, 4, 4, 4);
            Add("flatten", new Flatten(dataFormat: DataFormat.ChannelsFirst, name: "flatten"));
            Add("flatten_channels_last", new Flatten(dataFormat: DataFormat.ChannelsLast, name: "flatten_channels_last"));
            Add("permute", new Permute(new[] { 2, 1 }, name: "permute"));
            Add("repeat_vector", new RepeatVector(3, name: "repeat_vector"));
            Add("reshape", new Reshape(new[] { 2, -1 }, name: "reshape"));
            Add("up_sampling1d", new UpSampling1D(size: 3, name: "up_sampling1d"));
            Add("up_sampling2d_nearest", new UpSampling2D(size: (2, 3), dataFormat: DataFormat.ChannelsFirst, interpolation: Interpolation.Nearest,
                name: "up_sampling2d_nearest"));
            Add("up_sampling2d_bilinear", new UpSampling2D(size: 2, dataFormat: DataFormat.ChannelsLast, interpolation: Interpolation.Bilinear,
                name: "up_sampling2d_bilinear"));
            Add("up_sampling2d_bicubic", new UpSampling2D(size: 2, interpolation: Interpolation.Bicubic, name: "up_sampling2d_bicubic"));
            Add("up_sampling3d", new UpSampling3D(size: (1, 2, 3), dataFormat: DataFormat.ChannelsFirst, name: "up_sampling3d"));
            Add("zero_padding1d", new ZeroPadding1D(padding: (2, 1), name: "zero_padding1d"));
            Add("zero_padding1d_channels_first", new ZeroPadding1D(padding: 1, dataFormat: DataFormat.ChannelsFirst,
                name: "zero_padding1d_channels_first"));
            Add("zero_padding2d", new ZeroPadding2D(((1, 2), (3, 0)), dataFormat: DataFormat.ChannelsLast, name: "zero_padding2d"));
            Add("zero_padding2d_channels_first", new ZeroPadding2D(padding: (1, 2), dataFormat: DataFormat.ChannelsFirst,
                name: "zero_padding2d_channels_first"));
            Add("zero_padding3d", new ZeroPadding3D(((1, 0), (0, 1), (2, 2)), dataFormat: DataFormat.ChannelsFirst, name: "zero_padding3d"));

            // Models.
            Add("sequential_cnn", SequentialCnn());
            Add("functional_two_inputs", FunctionalTwoInputs());
            Add("compiled_adam", CompiledAdam());
            Add("compiled_sgd", CompiledSgd());
            return entries;
        }

        /// <summary>A small image classifier: convolution, pooling, dropout, flatten, dense.</summary>
        public static Sequential SequentialCnn() => new(new Layer[]
        {
            new InputLayer(shape: new Shape(8, 8, 1), name: "cnn_input"),
            new Conv2D(2, 3, padding: Padding.Same, activation: "relu", name: "cnn_conv"),
            new MaxPooling2D(poolSize: 2, padding: Padding.Valid, name: "cnn_pool"),
            new Conv2D(2, 3, padding: Padding.Valid, activation: "relu", name: "cnn_conv_2"),
            new Flatten(name: "cnn_flatten"),
            new Dropout(0.25, seed: 1, name: "cnn_dropout"),
            new Dense(3, activation: "softmax", name: "cnn_head"),
        }, name: "sequential_cnn");

        /// <summary>Two token inputs through a shared masked embedding and a shared LSTM, merged into one output.</summary>
        public static Model FunctionalTwoInputs()
        {
            var left = Input.Create(new Shape(5), dtype: ScalarType.Int64, name: "left_tokens");
            var right = Input.Create(new Shape(5), dtype: ScalarType.Int64, name: "right_tokens");
            var embedding = new Embedding(12, 4, maskZero: true, name: "shared_embedding");
            var lstm = new LSTM(3, name: "shared_lstm");
            var merged = new Concatenate(axis: -1, name: "merge")
                .Apply(new[] { lstm.Apply(embedding.Apply(left)), lstm.Apply(embedding.Apply(right)) });
            var output = new Dense(1, activation: "sigmoid", name: "similarity").Apply(merged);
            return new Model(new[] { left, right }, new[] { output }, name: "functional_two_inputs");
        }

        /// <summary>A small MLP compiled with Adam (gradient clipping) and the Huber loss, with metrics.</summary>
        public static Sequential CompiledAdam()
        {
            var model = new Sequential(new Layer[]
            {
                new InputLayer(shape: new Shape(4), name: "mlp_input"),
                new Dense(8, activation: "relu", kernelInitializer: Initializer.GlorotUniform(seed: 1), name: "mlp_hidden"),
                new Dense(2, name: "mlp_output"),
            }, name: "compiled_adam");
            model.Compile(new Adam(0.01, beta1: 0.8, amsGrad: true, clipNorm: 1.0), new HuberLoss(delta: 0.5), new[] { "mae", "mse" });
            return model;
        }

        /// <summary>A classifier compiled with SGD (momentum, a decay schedule, value clipping) and categorical cross-entropy.</summary>
        public static Sequential CompiledSgd()
        {
            var model = new Sequential(new Layer[]
            {
                new InputLayer(shape: new Shape(3), name: "sgd_input"),
                new Dense(3, activation: "softmax", name: "sgd_output"),
            }, name: "compiled_sgd");
            model.Compile(new SGD(new ExponentialDecay(0.1, decaySteps: 10, decayRate: 0.9, staircase: true), momentum: 0.9,
                nesterov: true, clipValue: 0.5, globalClipNorm: 2.0),
                new CategoricalCrossentropyLoss(fromLogits: false, labelSmoothing: 0.1), new[] { "accuracy" });
            return model;
        }
    }
}
