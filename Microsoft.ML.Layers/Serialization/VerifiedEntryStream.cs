using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Reads one zip entry and checks it while it is inflated: never more bytes than the entry declares (a zip bomb whose
    /// header lies stops there), exactly that many, and the CRC-32 the zip records. Also computes the SHA-256 of what it
    /// read, for the hashes this library records in its metadata. Every failure is a <see cref="FormatException"/> naming the
    /// file and the entry.
    /// </summary>
    internal sealed class VerifiedEntryStream : Stream
    {
        private readonly Stream _inner;
        private readonly uint _expectedCrc;
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private Crc32 _crc;
        private long _read;
        private bool _finished;

        private VerifiedEntryStream(Stream inner, string where, long declaredLength, uint expectedCrc)
        {
            _inner = inner;
            Where = where;
            DeclaredLength = declaredLength;
            _expectedCrc = expectedCrc;
        }

        /// <summary>The file and entry, as errors name them: <c>'model.zip', entry 'config.json'</c>.</summary>
        public string Where { get; }

        /// <summary>The uncompressed size the zip declares for the entry.</summary>
        public long DeclaredLength { get; }

        /// <summary>
        /// Opens <paramref name="entry"/> after checking its declared size against <paramref name="limit"/> (named
        /// <paramref name="limitName"/> in the error, a <see cref="ModelLoadOptions"/> property).
        /// </summary>
        public static VerifiedEntryStream Open(ZipArchiveEntry entry, string file, long limit, string limitName)
        {
            string where = $"'{file}', entry '{entry.FullName}'";
            if (entry.Length > limit)
                throw new FormatException($"{where}: the entry declares {entry.Length} bytes, more than the limit of {limit} " +
                    $"(ModelLoadOptions.{limitName}); raise the limit to load it.");
            Stream inner;
            try
            {
                inner = entry.Open();
            }
            catch (InvalidDataException e)
            {
                throw new FormatException($"{where} is corrupted ({e.Message}).", e);
            }
            return new VerifiedEntryStream(inner, where, entry.Length, entry.Crc32);
        }

        /// <summary>Reads the whole entry into memory, verified.</summary>
        public static byte[] ReadAll(ZipArchiveEntry entry, string file, long limit, string limitName)
        {
            using var stream = Open(entry, file, limit, limitName);
            if (stream.DeclaredLength > Array.MaxLength)
                throw new FormatException($"{stream.Where}: the entry declares {stream.DeclaredLength} bytes, more than one array holds.");
            var bytes = new byte[stream.DeclaredLength];
            stream.ReadExactly(bytes);
            stream.Complete();
            return bytes;
        }

        /// <summary>Reads what is left, checks the size and CRC-32, and returns the SHA-256 of the whole entry.</summary>
        public byte[] Complete()
        {
            var buffer = new byte[81920];
            while (Read(buffer, 0, buffer.Length) > 0)
            {
            }
            return _sha256.GetHashAndReset();
        }

        /// <inheritdoc />
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        /// <inheritdoc />
        public override int Read(Span<byte> buffer)
        {
            if (_finished || buffer.Length == 0)
                return 0;
            // Ask for at most one byte past the declared end: enough to see that the entry is longer than it claims.
            long allowed = DeclaredLength - _read + 1;
            if (buffer.Length > allowed)
                buffer = buffer[..(int)allowed];
            int n;
            try
            {
                n = _inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new FormatException($"{Where} is corrupted ({e.Message}).", e);
            }
            if (n == 0)
            {
                Finish();
                return 0;
            }
            _read += n;
            if (_read > DeclaredLength)
                throw new FormatException($"{Where} is corrupted: it inflates to more than the {DeclaredLength} bytes its header " +
                    $"declares.");
            _crc.Append(buffer[..n]);
            _sha256.AppendData(buffer[..n]);
            return n;
        }

        private void Finish()
        {
            _finished = true;
            if (_read != DeclaredLength)
                throw new FormatException($"{Where} is truncated or corrupted: it inflates to {_read} bytes, its header declares " +
                    $"{DeclaredLength}.");
            if (_crc.Value != _expectedCrc)
                throw new FormatException($"{Where} is corrupted: its CRC-32 is {_crc.Value:x8}, the zip records " +
                    $"{_expectedCrc:x8}.");
        }

        /// <inheritdoc />
        public override bool CanRead => true;

        /// <inheritdoc />
        public override bool CanSeek => false;

        /// <inheritdoc />
        public override bool CanWrite => false;

        /// <inheritdoc />
        public override long Length => throw new NotSupportedException();

        /// <inheritdoc />
        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        /// <inheritdoc />
        public override void Flush()
        {
        }

        /// <inheritdoc />
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        /// <inheritdoc />
        public override void SetLength(long value) => throw new NotSupportedException();

        /// <inheritdoc />
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _sha256.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
