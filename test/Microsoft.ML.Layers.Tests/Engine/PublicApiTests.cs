using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>The public API as a whole: fixed choices are enums, not strings.</summary>
    public class PublicApiTests
    {
        // The names of fixed-choice options. A `monitor` parameter names a logged quantity ("val_loss", any metric), an open
        // set: it is a MonitoredValue (any string converts to one), never a plain string; its min/max/auto is `mode`.
        // The `Monitor` properties that report the watched name as a string are not parameters and stay.
        private static readonly HashSet<string> FixedChoiceNames = new(StringComparer.OrdinalIgnoreCase)
        {
            "padding", "dataFormat", "mode", "interpolation", "mergeMode", "monitorMode", "scoreMode", "distribution", "reduction",
        };

        private static readonly HashSet<string> FixedChoiceParameterNames = new(FixedChoiceNames, StringComparer.OrdinalIgnoreCase) { "monitor" };

        [Fact]
        public void NoPublicParameterOrPropertyTakesAStringForAFixedChoice()
        {
            const BindingFlags Members = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var offenders = new List<string>();
            foreach (var type in typeof(Layer).Assembly.GetExportedTypes())
            {
                var methods = type.GetConstructors(Members).Cast<MethodBase>().Concat(type.GetMethods(Members));
                foreach (var method in methods)
                {
                    offenders.AddRange(method.GetParameters()
                        .Where(p => p.ParameterType == typeof(string) && FixedChoiceParameterNames.Contains(p.Name!))
                        .Select(p => $"{type.FullName}.{method.Name}({p.Name})"));
                }
                offenders.AddRange(type.GetProperties(Members)
                    .Where(p => p.PropertyType == typeof(string) && FixedChoiceNames.Contains(p.Name))
                    .Select(p => $"{type.FullName}.{p.Name}"));
            }
            Assert.True(offenders.Count == 0, "Strings for fixed choices (use an enum): " + string.Join(", ", offenders));
        }

        [Fact]
        public void TheCheckSeesAStringPadding()
        {
            // The check above must be able to fail: a type with a string `padding` parameter is found.
            var parameter = typeof(PublicApiTests).GetMethod(nameof(WithStringPadding), BindingFlags.NonPublic | BindingFlags.Static)!.GetParameters()[0];
            Assert.True(parameter.ParameterType == typeof(string) && FixedChoiceNames.Contains(parameter.Name!));
        }

        private static void WithStringPadding(string padding) => _ = padding;
    }
}
