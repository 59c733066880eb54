using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>Writes one line per epoch (epoch, then each log entry in name order) to a CSV file (Keras's <c>CSVLogger</c>).</summary>
    public sealed class CSVLogger : Callback
    {
        private StreamWriter? _writer;
        private string[]? _keys;

        /// <summary>Creates the callback.</summary>
        public CSVLogger(string fileName, string separator = ",", bool append = false)
        {
            FileName = fileName ?? throw new ArgumentNullException(nameof(fileName));
            Separator = separator;
            Append = append;
        }

        /// <summary>The CSV file.</summary>
        public string FileName { get; }

        /// <summary>The field separator.</summary>
        public string Separator { get; }

        /// <summary>Whether to append to an existing file (without a second header).</summary>
        public bool Append { get; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
        {
            bool hasHeader = Append && File.Exists(FileName) && new FileInfo(FileName).Length > 0;
            _writer = new StreamWriter(FileName, Append) { AutoFlush = true };
            _keys = hasHeader ? null : Array.Empty<string>();
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            if (_writer is null)
                return;
            if (_keys is null || _keys.Length == 0)
            {
                bool writeHeader = _keys is not null;
                _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
                if (writeHeader)
                    _writer.WriteLine(string.Join(Separator, new[] { "epoch" }.Concat(_keys)));
            }
            var values = _keys.Select(k => logs.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            _writer.WriteLine(string.Join(Separator, new[] { epoch.ToString(CultureInfo.InvariantCulture) }.Concat(values)));
        }

        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
