using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Documentation
{
    /// <summary>
    /// The complete C# programs of the README and docs/ (code blocks that start with a <c>using</c>) compile against this
    /// build, as a new user would paste them into a console app; the README's need at most three <c>using</c>s.
    /// </summary>
    public sealed class DocumentationExampleTests
    {
        private static readonly Lazy<MetadataReference[]> References = new(() =>
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
                .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.Last())
                .Where(IsManagedAssembly)
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToArray());

        public static TheoryData<string, int> Programs()
        {
            var data = new TheoryData<string, int>();
            foreach (var file in DocumentFiles())
                for (int i = 0; i < CompletePrograms(file).Count; i++)
                    data.Add(Path.GetRelativePath(RepositoryLayout.Root, file), i);
            return data;
        }

        [Theory]
        [MemberData(nameof(Programs))]
        public void CompilesAsAConsoleProgram(string document, int index)
        {
            string code = CompletePrograms(Path.Combine(RepositoryLayout.Root, document))[index];
            var compilation = CSharpCompilation.Create("DocumentationExample",
                new[] { CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)) }, References.Value,
                new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, $"{document}, program {index + 1}:\n{string.Join("\n", errors)}\n\n{code}");
        }

        [Fact]
        public void TheReadmeHasCompleteProgramsThatNeedAtMostThreeUsings()
        {
            var programs = CompletePrograms(Path.Combine(RepositoryLayout.Root, "README.md"));
            Assert.True(programs.Count >= 3, $"README.md has {programs.Count} complete C# programs; expected the pipeline, training, layer and import examples.");
            foreach (var program in programs)
            {
                int usings = Regex.Matches(program, @"^using [\w.]+( = [\w.]+)?;|^using static [\w.]+;", RegexOptions.Multiline).Count;
                Assert.True(usings <= 3, $"A README program needs {usings} usings (at most 3):\n{program}");
            }
        }

        [Fact]
        public void EveryDocumentLinkedFromTheReadmeExists()
        {
            string readme = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "README.md"));
            var links = Regex.Matches(readme, @"\]\(((?:docs/)?[\w.-]+\.md)\)").Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.Contains("docs/architecture.md", links);
            Assert.All(links, link => Assert.True(File.Exists(Path.Combine(RepositoryLayout.Root, link)), $"README links to missing {link}"));
        }

        private static IEnumerable<string> DocumentFiles()
            => new[] { Path.Combine(RepositoryLayout.Root, "README.md") }
                .Concat(Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "docs"), "*.md").OrderBy(f => f, StringComparer.Ordinal));

        /// <summary>The <c>```csharp</c> blocks of a Markdown file that start with <c>using</c> directives and hold code after them.</summary>
        private static List<string> CompletePrograms(string markdownFile)
            => Regex.Matches(File.ReadAllText(markdownFile), @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value)
                .Where(code => code.StartsWith("using ", StringComparison.Ordinal))
                .Where(code => Regex.Replace(code, @"^using [^\n]*\n", "", RegexOptions.Multiline).Trim().Length > 0)  // not a list of usings
                .ToList();

        private static bool IsManagedAssembly(string path)
        {
            try
            {
                System.Reflection.AssemblyName.GetAssemblyName(path);
                return true;
            }
            catch (BadImageFormatException)
            {
                return false;
            }
        }
    }
}
