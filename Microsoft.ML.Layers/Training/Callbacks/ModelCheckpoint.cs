using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Saves the model (or only its weights) after epochs (Keras's <c>ModelCheckpoint</c>). The path may contain
    /// Python-style fields such as <c>"model-{epoch:02d}-{val_loss:.2f}.zip"</c> (the epoch is 1-based, as in Keras).
    /// With <c>saveBestOnly</c>, it saves only when the monitored quantity improves.
    /// </summary>
    public sealed class ModelCheckpoint : Callback
    {
        private static readonly Regex Field = new(@"\{(\w+)(?::([^}]*))?\}", RegexOptions.CultureInvariant);
        private double _best;
        private readonly bool _higherIsBetter;

        /// <summary>Creates the callback with Keras's defaults.</summary>
        public ModelCheckpoint(string filePath, MonitoredValue? monitor = null, bool saveBestOnly = false, bool saveWeightsOnly = false,
            MonitorMode mode = MonitorMode.Auto)
        {
            FilePath = filePath ?? throw new ArgumentNullException(nameof(filePath));
            Monitor = (monitor ?? MonitoredValue.ValLoss).Name;
            SaveBestOnly = saveBestOnly;
            SaveWeightsOnly = saveWeightsOnly;
            Mode = mode;
            _higherIsBetter = MonitorImprovement.HigherIsBetter(mode, Monitor);
        }

        /// <summary>The path pattern.</summary>
        public string FilePath { get; }

        /// <summary>The log entry compared when <see cref="SaveBestOnly"/>.</summary>
        public string Monitor { get; }

        /// <summary>Whether the monitored quantity improves when it goes down or up.</summary>
        public MonitorMode Mode { get; }

        /// <summary>Whether to save only improvements.</summary>
        public bool SaveBestOnly { get; }

        /// <summary>Whether to save only the weights (<see cref="Model.SaveWeights"/>) rather than the whole model.</summary>
        public bool SaveWeightsOnly { get; }

        /// <summary>The paths written so far.</summary>
        public List<string> SavedPaths { get; } = new();

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
            => _best = _higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            if (SaveBestOnly)
            {
                if (!logs.TryGetValue(Monitor, out double current))
                    throw new InvalidOperationException($"ModelCheckpoint monitors '{Monitor}', which is not in the logs " +
                        $"({string.Join(", ", logs.Keys)}).");
                if (!MonitorImprovement.Improves(current, _best, 0, _higherIsBetter))
                    return;
                _best = current;
            }
            string path = Format(FilePath, epoch + 1, logs);
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            if (SaveWeightsOnly)
                Model!.SaveWeights(path);
            else
                Model!.Save(path);
            SavedPaths.Add(path);
        }

        /// <summary>Fills <c>{epoch}</c> and log fields, with Python format specs <c>02d</c> and <c>.4f</c>.</summary>
        internal static string Format(string pattern, int epoch, IReadOnlyDictionary<string, double> logs)
            => Field.Replace(pattern, match =>
            {
                string name = match.Groups[1].Value;
                string spec = match.Groups[2].Value;
                double value = name == "epoch" ? epoch : logs.TryGetValue(name, out var v) ? v
                    : throw new KeyNotFoundException($"ModelCheckpoint path '{pattern}' names '{name}', which is not in the logs " +
                        $"({string.Join(", ", logs.Keys)}).");
                if (spec.EndsWith('d'))
                {
                    int width = spec.Length > 1 ? int.Parse(spec.TrimEnd('d'), CultureInfo.InvariantCulture) : 0;
                    return ((long)value).ToString(CultureInfo.InvariantCulture).PadLeft(width, spec.StartsWith('0') ? '0' : ' ');
                }
                if (spec.StartsWith('.') && spec.EndsWith('f'))
                    return value.ToString("F" + spec.Substring(1, spec.Length - 2), CultureInfo.InvariantCulture);
                return name == "epoch" ? epoch.ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
            });
    }
}
