using System;
using System.Linq;
using System.Text;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class HashingTests
    {
        private static long[] Ints(Tensor t) => t.to(ScalarType.Int64).contiguous().data<long>().ToArray();

        private static long[] Fast(long buckets, params string[] texts)
            => texts.Select(t => KerasHash.FastBucket(Encoding.ASCII.GetBytes(t), buckets)).ToArray();

        private static long[] Strong(long buckets, ulong k0, ulong k1, params string[] texts)
            => texts.Select(t => KerasHash.StrongBucket(Encoding.ASCII.GetBytes(t), k0, k1, buckets)).ToArray();

        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Hashing(numBins: 5, outputMode: EncodingMode.MultiHot, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3) },
            InputDType = ScalarType.Int64,
            ExpectedOutputShape = new Shape(4, 5),
            CheckMixedPolicy = false,
        });

        [Fact]
        public void FarmHashMatchesTensorFlowsAndKerassDocumentedBuckets()
        {
            Assert.Equal(new long[] { 1, 0, 1, 1, 2 }, Fast(3, "A", "B", "C", "D", "E"));              // Keras's Hashing docstring
            Assert.Equal(new long[] { 0, 2, 2 }, Fast(3, "Hello", "TensorFlow", "2.x"));   // tf.strings.to_hash_bucket_fast docs
            Assert.Equal(new long[] { 0, 0, 1, 0, 0 }, Fast(2, "omar", "stringer", "marlo", "wire", "skywalker")); // Keras's tests
        }

        [Theory]
        // Values of an independent implementation: fingerprint64 of the npm package farmhash-modern 1.1.0 (FarmHash in Rust),
        // covering every length branch a decimal int64 reaches (1-3, 4-7, 8-16, 17-20 bytes).
        [InlineData("A", 16915294056622060564UL)]
        [InlineData("2.x", 943390013796179357UL)]
        [InlineData("Hello", 15404698994557526151UL)]
        [InlineData("TensorFlow", 4265654129848386254UL)]
        [InlineData("1234567890123456", 17239105360639788068UL)]
        [InlineData("12345678901234567", 9547268001101853110UL)]
        [InlineData("9223372036854775807", 12739833532913062319UL)]
        [InlineData("-9223372036854775808", 1493431938208774112UL)]
        public void Fingerprint64MatchesAnIndependentFarmHash(string text, ulong expected)
            => Assert.Equal(expected, KerasHash.Fingerprint64(Encoding.ASCII.GetBytes(text)));

        [Fact]
        public void SipHashMatchesTheReferenceVectorAndKerassDocumentedBuckets()
        {
            // SipHash-2-4 paper, appendix: key 00..0f, empty message.
            Assert.Equal(0x726fdb47dd0e0e31UL, KerasHash.SipHash24(ReadOnlySpan<byte>.Empty, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL));
            var fifteen = Enumerable.Range(0, 15).Select(i => (byte)i).ToArray();   // one block and a 7-byte tail
            Assert.Equal(0xa129ca6149be45e5UL, KerasHash.SipHash24(fifteen, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL));
            Assert.Equal(new long[] { 1, 2, 1, 0, 2 }, Strong(3, 133, 137, "A", "B", "C", "D", "E"));  // Keras's docstring
            Assert.Equal(new long[] { 0, 0, 2, 1, 0 }, Strong(3, 133, 133, "A", "B", "C", "D", "E"));  // salt=133
            Assert.Equal(new long[] { 2, 0 }, Strong(3, 1, 2, "Hello", "TF"));   // tf.strings.to_hash_bucket_strong docs
            Assert.Equal(new long[] { 0, 1, 0, 1, 0 }, Strong(2, 133, 137, "omar", "stringer", "marlo", "wire", "skywalker"));
        }

        [Fact]
        public void IntegersHashAsKerassTestSays()
        {
            // keras hashing_test.test_hash_dense_int_input_farmhash: [[0], [1], [2], [3], [4]], num_bins=3 -> [[1], [0], [1], [0], [2]].
            var layer = new Hashing(numBins: 3);
            var y = layer.Apply(tensor(new long[] { 0, 1, 2, 3, 4 }).reshape(5, 1));

            Assert.Equal(ScalarType.Int64, y.dtype);
            Assert.Equal(new long[] { 5, 1 }, y.shape);
            Assert.Equal(new long[] { 1, 0, 1, 0, 2 }, Ints(y));
        }

        [Fact]
        public void AMaskValueTakesBinZeroAndShiftsTheOthers()
        {
            // Others hash into num_bins - 1 = 2 buckets, plus one.
            var y = new Hashing(numBins: 3, maskValue: 7).Apply(tensor(new long[] { 7, 0, 1, 2 }));
            var expected = new long[] { 0 }.Concat(new long[] { 0, 1, 2 }.Select(v => 1 + KerasHash.FastBucket(KerasHash.Decimal(v), 2)));
            Assert.Equal(expected, Ints(y));
        }

        [Fact]
        public void LongDecimalsUseTheSeventeenToThirtyTwoByteHash()
        {
            // long.MinValue is 20 characters: the 17-32 byte branch; hashing it must not throw and must be in range.
            var y = new Hashing(numBins: 1000).Apply(tensor(new[] { long.MinValue, long.MaxValue, 12345678901234567L }));
            Assert.All(Ints(y), v => Assert.InRange(v, 0, 999));
        }

        [Fact]
        public void FloatsAreTruncatedToIntegersFirst()
        {
            var layer = new Hashing(numBins: 7);
            Assert.Equal(Ints(layer.Apply(tensor(new long[] { 2, -3 }))), Ints(layer.Apply(tensor(new[] { 2.9f, -3.7f }))));
        }

        [Fact]
        public void ReadsAKeras3ConfigAndRoundTrips()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Hashing", "config": {"name": "hashing", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "int64"}, "registered_name": null},
                 "num_bins": 3, "salt": [133, 137], "mask_value": null, "output_mode": "int", "sparse": false},
                 "registered_name": null}
                """;
            var layer = Assert.IsType<Hashing>(Layer.Deserialize(json));

            Assert.Equal(new long[] { 133, 137 }, layer.Salt);
            Assert.Equal(Strong(3, 133, 137, "0", "1"), Ints(layer.Apply(tensor(new long[] { 0, 1 }))));
            Assert.Equal(layer.ToJson(), Layer.Deserialize(layer.ToJson()).ToJson());
        }

        [Fact]
        public void RejectsWhatKerasRejects()
        {
            Assert.Contains("num_bins", Assert.Throws<ArgumentException>(() => new Hashing()).Message);
            Assert.Contains("salt", Assert.Throws<ArgumentException>(() => new Hashing(numBins: 2, salt: new long[] { 1, 2, 3 })).Message);
            Assert.Contains("integer type",
                Assert.Throws<ArgumentException>(() => new Hashing(numBins: 2, dtype: ScalarType.Float32)).Message);
        }
    }
}
