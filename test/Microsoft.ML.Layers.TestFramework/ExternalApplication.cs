using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// A console application created in a temporary folder outside the repository, referencing one of the repository's
    /// projects the way a user's application would, built once and run as a child process.
    /// </summary>
    public sealed class ExternalApplication : IDisposable
    {
        /// <summary>Writes the project and program, and builds them (in the configuration the tests were built in).</summary>
        /// <param name="name">The application's name (its project and assembly name).</param>
        /// <param name="referencedProject">The repository project to reference, relative to the repository root; the application
        /// also references this machine's CPU libtorch, as an application must.</param>
        /// <param name="program">The top-level C# program.</param>
        public ExternalApplication(string name, string referencedProject, string program)
            : this(name, program, new[]
            {
                $"<ProjectReference Include=\"{Path.Combine(RepositoryLayout.Root, referencedProject)}\" />",
                RepositoryLayout.LibTorchPackageReference,
            })
        {
        }

        /// <summary>Writes the project, program and any other files, and builds them (in the configuration the tests were built in).</summary>
        /// <param name="name">The application's name (its project and assembly name).</param>
        /// <param name="program">The top-level C# program.</param>
        /// <param name="projectItems">The project's item elements (<c>PackageReference</c>, <c>ProjectReference</c>).</param>
        /// <param name="files">More files to write beside the project before building (e.g. a <c>nuget.config</c>), by file name.</param>
        public ExternalApplication(string name, string program, IEnumerable<string> projectItems, IReadOnlyDictionary<string, string>? files = null)
        {
            Name = name;
            Directory = Path.Combine(Path.GetTempPath(), $"mllayers-{name.ToLowerInvariant()}-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(Path.Combine(Directory, name + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    {string.Join("\n    ", projectItems)}
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(Directory, "Program.cs"), program);
            foreach (var (fileName, text) in files ?? new Dictionary<string, string>())
                File.WriteAllText(Path.Combine(Directory, fileName), text);
            Build = ProcessRunner.Run(ProcessRunner.DotNet,
                new[] { "build", "-c", RepositoryLayout.BuildConfiguration, "-o", Path.Combine(Directory, "out"), "--nologo", "-v:q" },
                Directory, timeout: TimeSpan.FromMinutes(8));
        }

        /// <summary>The application's name.</summary>
        public string Name { get; }

        /// <summary>The application's folder (files written here are deleted with it).</summary>
        public string Directory { get; }

        /// <summary>The result of building it.</summary>
        public ProcessResult Build { get; }

        /// <summary>Runs the built application; fails the test when it did not build.</summary>
        public ProcessResult Run(IReadOnlyDictionary<string, string?>? environment = null, params string[] arguments)
        {
            Assert.True(Build.ExitCode == 0, $"The application {Name} did not build:\n{Build}");
            return ProcessRunner.Run(ProcessRunner.DotNet, new[] { Path.Combine(Directory, "out", Name + ".dll") }.Concat(arguments), Directory, environment);
        }

        /// <summary>Deletes the folder.</summary>
        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
