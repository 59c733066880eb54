using System;
using System.Threading;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The state of the load running on this thread (and its async continuations): the <see cref="ModelLoadOptions"/> in force
    /// and the weight bytes the file can account for. While a load runs, every weight a config creates is charged against that
    /// budget before it is allocated, so that a small file cannot make the library allocate more than the weights it holds
    /// (a 1 KB config asking for a 60-million-unit layer fails at once instead of after allocating gigabytes).
    /// </summary>
    internal static class LoadScope
    {
        /// <summary>The bytes any load may allocate beyond what its file accounts for (layers' own buffers, dtype changes).</summary>
        internal const long Slack = 64L << 20;

        private static readonly AsyncLocal<ModelLoadOptions?> AmbientOptions = new();

        /// <summary>The weight bytes a config may create when its weights come from <paramref name="fileBytes"/> bytes of a file:
        /// twice that (a float16 file fills float32 weights) plus <see cref="Slack"/>.</summary>
        public static long BudgetFor(long fileBytes)
            => fileBytes >= (long.MaxValue - Slack) / 2 ? long.MaxValue : 2 * Math.Max(fileBytes, 0) + Slack;
        private static readonly AsyncLocal<Budget?> CurrentBudget = new();
        private static readonly IDisposable NothingToUndo = new ScopeExit(() => { });

        /// <summary>The options for a load: the caller's, else those of an enclosing <see cref="ModelLoadOptions.BeginScope"/>,
        /// else the defaults.</summary>
        public static ModelLoadOptions Resolve(ModelLoadOptions? explicitOptions)
            => explicitOptions ?? AmbientOptions.Value ?? new ModelLoadOptions();

        /// <summary>Makes <paramref name="options"/> the options of the loads on this thread that are given none, until disposed.</summary>
        public static IDisposable UseOptions(ModelLoadOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var previous = AmbientOptions.Value;
            AmbientOptions.Value = options;
            return new ScopeExit(() => AmbientOptions.Value = previous);
        }

        /// <summary>
        /// Starts a load under <paramref name="options"/> (its assembly allow-list applies) whose configs may create at most
        /// <paramref name="weightBytes"/> bytes of weights; <paramref name="source"/> says where that number comes from, for
        /// the error. Nested loads keep the outer budget when it is smaller.
        /// </summary>
        public static IDisposable Begin(ModelLoadOptions options, long weightBytes, string source)
        {
            ArgumentNullException.ThrowIfNull(options);
            var previousOptions = AmbientOptions.Value;
            var previousBudget = CurrentBudget.Value;
            // A nested layer's deserialization inside a running load under the same options changes nothing: keep the scope.
            if (ReferenceEquals(previousOptions, options) && previousBudget is not null && weightBytes >= previousBudget.Remaining)
                return NothingToUndo;
            var assemblies = ComponentRegistry.AllowAssemblyLoads(options.AllowedAssemblies);
            AmbientOptions.Value = options;
            if (previousBudget is null || weightBytes < previousBudget.Remaining)
                CurrentBudget.Value = new Budget(weightBytes, source);
            return new ScopeExit(() =>
            {
                CurrentBudget.Value = previousBudget;
                AmbientOptions.Value = previousOptions;
                assemblies.Dispose();
            });
        }

        /// <summary>
        /// Charges a weight of <paramref name="bytes"/> against the current load's budget, if a load is running.
        /// </summary>
        /// <exception cref="ArgumentException">The weight does not fit: the message names it, its size, the budget and its source.
        /// </exception>
        public static void ChargeWeight(long bytes, string what)
        {
            if (CurrentBudget.Value is not { } budget)
                return;
            lock (budget)
            {
                if (bytes > budget.Remaining)
                {
                    throw new ArgumentException($"The {what} needs {NativeGuards.Describe(bytes)}, but only " +
                        $"{NativeGuards.Describe(budget.Remaining)} of the {NativeGuards.Describe(budget.Total)} that {budget.Source} " +
                        $"accounts for are left: the config describes larger weights than the file holds, so it is corrupt or does not " +
                        $"belong to these weights.");
                }
                budget.Remaining -= bytes;
            }
        }

        private sealed class Budget
        {
            public Budget(long total, string source) => (Total, Remaining, Source) = (total, total, source);

            public long Total { get; }

            public long Remaining { get; set; }

            public string Source { get; }
        }
    }
}
