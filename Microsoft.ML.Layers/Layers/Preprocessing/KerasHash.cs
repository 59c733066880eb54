using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The string hashes TensorFlow uses for Keras's hashing of integers, which are first written as decimal strings
    /// (<c>tf.as_string</c>): <c>tf.strings.to_hash_bucket_fast</c> is FarmHash's <c>Fingerprint64</c> (farmhashna's
    /// <c>Hash64</c>), <c>tf.strings.to_hash_bucket_strong</c> is SipHash-2-4 keyed by the two salt values; both then take the
    /// unsigned remainder by the number of buckets.
    /// </summary>
    internal static class KerasHash
    {
        private const ulong K0 = 0xc3a5c85c97cb3127UL;
        private const ulong K1 = 0xb492b66fbe98f273UL;
        private const ulong K2 = 0x9ae16a3b2f90404fUL;

        /// <summary>The decimal text TensorFlow's <c>as_string</c> writes for an integer.</summary>
        public static byte[] Decimal(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

        /// <summary><c>to_hash_bucket_fast</c> of <paramref name="text"/>.</summary>
        public static long FastBucket(ReadOnlySpan<byte> text, long buckets) => (long)(Fingerprint64(text) % (ulong)buckets);

        /// <summary><c>to_hash_bucket_strong</c> of <paramref name="text"/> with the key (<paramref name="k0"/>,
        /// <paramref name="k1"/>).</summary>
        public static long StrongBucket(ReadOnlySpan<byte> text, ulong k0, ulong k1, long buckets)
            => (long)(SipHash24(text, k0, k1) % (ulong)buckets);

        /// <summary>
        /// FarmHash's <c>Fingerprint64</c> for texts of at most 32 bytes, which covers every int64 in decimal (at most 20).
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A longer text.</exception>
        public static ulong Fingerprint64(ReadOnlySpan<byte> s)
        {
            int len = s.Length;
            if (len > 32)
                throw new ArgumentOutOfRangeException(nameof(s),
                    $"Fingerprint64 is implemented for texts of at most 32 bytes. Received: {len}.");
            if (len > 16)
            {
                ulong mul = K2 + (ulong)len * 2;
                ulong a = Fetch64(s, 0) * K1;
                ulong b = Fetch64(s, 8);
                ulong c = Fetch64(s, len - 8) * mul;
                ulong d = Fetch64(s, len - 16) * K2;
                return HashLen16(Rotate(a + b, 43) + Rotate(c, 30) + d, a + Rotate(b + K2, 18) + c, mul);
            }
            if (len >= 8)
            {
                ulong mul = K2 + (ulong)len * 2;
                ulong a = Fetch64(s, 0) + K2;
                ulong b = Fetch64(s, len - 8);
                ulong c = Rotate(b, 37) * mul + a;
                ulong d = (Rotate(a, 25) + b) * mul;
                return HashLen16(c, d, mul);
            }
            if (len >= 4)
            {
                ulong mul = K2 + (ulong)len * 2;
                ulong a = BinaryPrimitives.ReadUInt32LittleEndian(s);
                return HashLen16((ulong)len + (a << 3), BinaryPrimitives.ReadUInt32LittleEndian(s[(len - 4)..]), mul);
            }
            if (len > 0)
            {
                uint y = s[0] + ((uint)s[len >> 1] << 8);
                uint z = (uint)len + ((uint)s[len - 1] << 2);
                return ShiftMix((y * K2) ^ (z * K0)) * K2;
            }
            return K2;
        }

        /// <summary>SipHash-2-4 (as highwayhash's <c>SipHash</c>, which TensorFlow's strong hash calls).</summary>
        public static ulong SipHash24(ReadOnlySpan<byte> data, ulong k0, ulong k1)
        {
            ulong v0 = k0 ^ 0x736f6d6570736575UL, v1 = k1 ^ 0x646f72616e646f6dUL;
            ulong v2 = k0 ^ 0x6c7967656e657261UL, v3 = k1 ^ 0x7465646279746573UL;
            int blocks = data.Length / 8;
            for (int i = 0; i < blocks; i++)
            {
                ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]);
                v3 ^= m;
                Round(ref v0, ref v1, ref v2, ref v3);
                Round(ref v0, ref v1, ref v2, ref v3);
                v0 ^= m;
            }
            ulong last = (ulong)(data.Length & 0xff) << 56;
            var tail = data[(blocks * 8)..];
            for (int i = 0; i < tail.Length; i++)
                last |= (ulong)tail[i] << (8 * i);
            v3 ^= last;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= last;
            v2 ^= 0xff;
            for (int i = 0; i < 4; i++)
                Round(ref v0, ref v1, ref v2, ref v3);
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
        {
            v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
            v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
        }

        private static ulong Fetch64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

        private static ulong Rotate(ulong value, int shift) => BitOperations.RotateRight(value, shift);

        private static ulong ShiftMix(ulong value) => value ^ (value >> 47);

        private static ulong HashLen16(ulong u, ulong v, ulong mul)
        {
            ulong a = (u ^ v) * mul;
            a ^= a >> 47;
            ulong b = (v ^ a) * mul;
            b ^= b >> 47;
            return b * mul;
        }
    }
}
