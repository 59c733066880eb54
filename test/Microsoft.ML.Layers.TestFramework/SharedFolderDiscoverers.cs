using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// Discovers a <see cref="SharedDataFactAttribute"/> or <see cref="KerasReferenceFactAttribute"/> test: under
    /// <c>CI=true</c> with a required folder missing, the test becomes one that fails with the reason; otherwise as a fact.
    /// </summary>
    public sealed class SharedFolderFactDiscoverer : FactDiscoverer
    {
        /// <summary>Creates the discoverer (xunit calls this).</summary>
        public SharedFolderFactDiscoverer(IMessageSink diagnosticMessageSink) : base(diagnosticMessageSink)
        {
        }

        /// <inheritdoc/>
        public override IEnumerable<IXunitTestCase> Discover(
            ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
            => SharedFolderDiscovery.Failing(DiagnosticMessageSink, discoveryOptions, testMethod, factAttribute)
                ?? base.Discover(discoveryOptions, testMethod, factAttribute);
    }

    /// <summary>The theory counterpart of <see cref="SharedFolderFactDiscoverer"/>, for <see cref="KerasReferenceTheoryAttribute"/>.</summary>
    public sealed class SharedFolderTheoryDiscoverer : TheoryDiscoverer
    {
        /// <summary>Creates the discoverer (xunit calls this).</summary>
        public SharedFolderTheoryDiscoverer(IMessageSink diagnosticMessageSink) : base(diagnosticMessageSink)
        {
        }

        /// <inheritdoc/>
        public override IEnumerable<IXunitTestCase> Discover(
            ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
            => SharedFolderDiscovery.Failing(DiagnosticMessageSink, discoveryOptions, testMethod, theoryAttribute)
                ?? base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }

    internal static class SharedFolderDiscovery
    {
        /// <summary>One failing test case when a required folder is missing under CI; null otherwise.</summary>
        public static IEnumerable<IXunitTestCase>? Failing(
            IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo attribute)
        {
            string? failure = SharedFolderRequirement.FailureReason(attribute.GetNamedArgument<SharedFolders>("Requires"));
            return failure is null ? null : new IXunitTestCase[]
            {
                new ExecutionErrorTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, failure),
            };
        }
    }
}
