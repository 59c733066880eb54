using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Import;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The one place where the loaders (<c>Model.Load</c>, <c>Model.LoadWeights</c>, <c>KerasModel.Load</c>,
    /// <c>Layer.Deserialize</c>, <c>LayerConfig.FromJson</c>, the ML.NET transformers) turn whatever failed deep inside a
    /// load (JSON, zip, HDF5, TorchSharp, reflection, arithmetic, a huge allocation) into the exception type their XML docs
    /// list, with the original as the inner exception and the file or layer named in the message.
    /// </summary>
    internal static class LoadErrors
    {
        /// <summary>Runs <paramref name="load"/>; any failure becomes a <see cref="FormatException"/> naming
        /// <paramref name="what"/> (see <see cref="ToFormatException"/>).</summary>
        public static T AsFormatException<T>(Func<T> load, string what)
        {
            try
            {
                return load();
            }
            catch (Exception e) when (NeedsWrapping(e, what))
            {
                throw ToFormatException(e, what);
            }
        }

        /// <summary>Runs <paramref name="load"/>; see <see cref="AsFormatException{T}(Func{T}, string)"/>.</summary>
        public static void AsFormatException(Action load, string what)
            => AsFormatException<object?>(() =>
            {
                load();
                return null;
            }, what);

        /// <summary>Runs <paramref name="read"/>; a <see cref="FormatException"/> passes unchanged, any other failure becomes one
        /// naming <paramref name="what"/>.</summary>
        public static T KeepingFormatExceptions<T>(Func<T> read, string what)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (e is not FormatException && !IsUncatchable(e))
            {
                throw ToFormatException(e, what);
            }
        }

        /// <summary>Runs a Keras import step; any failure becomes a <see cref="KerasImportException"/> naming
        /// <paramref name="file"/>.</summary>
        public static T AsKerasImportException<T>(Func<T> load, string? file)
        {
            try
            {
                return load();
            }
            catch (KerasImportException e)
            {
                throw e.InFile(file);
            }
            catch (Exception e) when (!IsUncatchable(e))
            {
                throw new KerasImportException(Describe(e), file, innerException: e);
            }
        }

        /// <summary>
        /// Whether <paramref name="e"/> must be translated for a loader of <paramref name="what"/>: everything except a
        /// <see cref="FormatException"/> that already names it (a <see cref="KerasImportException"/> is one).
        /// </summary>
        public static bool NeedsWrapping(Exception e, string what)
            => !IsUncatchable(e) && !(e is FormatException && e.Message.Contains(what, StringComparison.Ordinal));

        /// <summary>
        /// <paramref name="e"/> as a <see cref="FormatException"/> whose message names <paramref name="what"/> and keeps the
        /// original message; <paramref name="e"/> is the inner exception.
        /// </summary>
        public static FormatException ToFormatException(Exception e, string what)
            => new($"'{what}' could not be loaded: {Describe(e)}", e);

        /// <summary>The message of <paramref name="e"/>, prefixed with its type unless it is one of the documented format
        /// errors (whose messages already say what is wrong).</summary>
        internal static string Describe(Exception e) => e switch
        {
            FormatException or KeyNotFoundException => e.Message,
            OutOfMemoryException => $"it needs more memory than is available ({e.Message}); the file is corrupted or describes a " +
                "model too large for this machine.",
            _ => $"{e.GetType().Name}: {e.Message}",
        };

        /// <summary>The failures no loader may swallow: the process or thread is being torn down.</summary>
        internal static bool IsUncatchable(Exception e)
            => e is OperationCanceledException or System.Threading.ThreadInterruptedException or StackOverflowException
                or AccessViolationException;
    }
}
