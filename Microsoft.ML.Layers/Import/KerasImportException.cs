using System;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// A Keras file could not be imported: it is corrupted, uses a feature this library does not support, or would
    /// need code to run (a <c>Lambda</c> or an unregistered custom class). The message names the file, the layer and
    /// the argument where they are known, and how to proceed where there is a way.
    /// </summary>
    public sealed class KerasImportException : FormatException
    {
        /// <summary>Creates the exception.</summary>
        public KerasImportException(string message, string? file = null, string? layer = null, string? argument = null,
            Exception? innerException = null)
            : base(Compose(message, file, layer, argument), innerException)
        {
            File = file;
            Layer = layer;
            Argument = argument;
            Reason = message;
        }

        /// <summary>The file being imported, when known.</summary>
        public string? File { get; }

        /// <summary>The name of the layer the problem is in, when known.</summary>
        public string? Layer { get; }

        /// <summary>The config argument the problem is in, when known.</summary>
        public string? Argument { get; }

        /// <summary>The message without the file, layer and argument prefix (used to group failures by cause).</summary>
        public string Reason { get; }

        private static string Compose(string message, string? file, string? layer, string? argument)
        {
            string where = (layer, argument) switch
            {
                (null, null) => "",
                (not null, null) => $"layer '{layer}': ",
                (null, not null) => $"argument '{argument}': ",
                _ => $"layer '{layer}', argument '{argument}': ",
            };
            string source = file is null ? "" : $"Cannot import Keras file '{file}': ";
            return source + where + message;
        }

        /// <summary>The same problem, with the file named.</summary>
        internal KerasImportException InFile(string? file)
            => File is not null || file is null ? this : new KerasImportException(Reason, file, Layer, Argument, InnerException);
    }
}
