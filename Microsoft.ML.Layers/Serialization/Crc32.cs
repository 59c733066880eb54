using System;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The CRC-32 of zip files (IEEE 802.3, reflected polynomial 0xEDB88320), computed incrementally, eight bytes a step
    /// ("slicing by 8"). <c>System.IO.Compression</c> records it when writing but never checks it when reading.
    /// </summary>
    internal struct Crc32
    {
        private static readonly uint[][] Tables = CreateTables();

        private uint _state;

        /// <summary>The CRC-32 of the bytes appended so far.</summary>
        public readonly uint Value => _state;

        /// <summary>Continues the checksum over <paramref name="data"/>.</summary>
        public void Append(ReadOnlySpan<byte> data)
        {
            uint crc = ~_state;
            var t = Tables;
            while (data.Length >= 8)
            {
                uint low = crc ^ (uint)(data[0] | data[1] << 8 | data[2] << 16 | data[3] << 24);
                crc = t[7][low & 0xFF] ^ t[6][(low >> 8) & 0xFF] ^ t[5][(low >> 16) & 0xFF] ^ t[4][low >> 24]
                    ^ t[3][data[4]] ^ t[2][data[5]] ^ t[1][data[6]] ^ t[0][data[7]];
                data = data[8..];
            }
            foreach (byte b in data)
                crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
            _state = ~crc;
        }

        /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
        public static uint Compute(ReadOnlySpan<byte> data)
        {
            var crc = new Crc32();
            crc.Append(data);
            return crc.Value;
        }

        private static uint[][] CreateTables()
        {
            var tables = new uint[8][];
            for (int k = 0; k < 8; k++)
                tables[k] = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int j = 0; j < 8; j++)
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                tables[0][i] = c;
            }
            for (int i = 0; i < 256; i++)
            {
                for (int k = 1; k < 8; k++)
                    tables[k][i] = tables[0][tables[k - 1][i] & 0xFF] ^ (tables[k - 1][i] >> 8);
            }
            return tables;
        }
    }
}
