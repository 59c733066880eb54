using System;
using System.IO;
using System.Security.Cryptography;

namespace Microsoft.ML.Layers
{
    /// <summary>Passes writes through to another stream and computes the SHA-256 of what went through.</summary>
    internal sealed class HashingWriteStream : Stream
    {
        private readonly Stream _inner;
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _written;

        public HashingWriteStream(Stream inner) => _inner = inner;

        /// <summary>The SHA-256 of everything written, in lower-case hex.</summary>
        public string HashHex() => Convert.ToHexStringLower(_sha256.GetCurrentHash());

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _sha256.AppendData(buffer);
            _inner.Write(buffer);
            _written += buffer.Length;
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Flush() => _inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _sha256.Dispose();
            base.Dispose(disposing);
        }
    }
}
