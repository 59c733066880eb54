using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML.Layers.Native;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Makes TorchSharp's native backend loadable before TorchSharp's first native call.
    /// </summary>
    /// <remarks>
    /// <para>
    /// TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked with GCC 13 and names the libstdc++
    /// version <c>GLIBCXX_3.4.32</c> for a single symbol (<c>std::ios_base_library_init()</c>) that no
    /// relocation uses. Debian 12 and Ubuntu 22.04 ship an older libstdc++, so the dynamic loader refuses
    /// the library and TorchSharp reports a misleading "doesn't contain a reference to libtorch-cpu".
    /// </para>
    /// <para>
    /// On Linux this class reads the libstdc++ the process already uses. When it lacks a version that
    /// <c>libLibTorchSharp.so</c> asks for, and no relocation of the library needs a symbol of that version,
    /// it writes a copy of the library with that version need marked weak (<c>VER_FLG_WEAK</c>) to a
    /// per-user cache directory, loads libtorch and the copy by full path, and points TorchSharp's
    /// P/Invoke resolution at the copy. The NuGet package cache and the application folder are never
    /// written. Where the system libstdc++ is new enough, or on Windows and macOS, nothing is done.
    /// </para>
    /// <para>
    /// It runs automatically when this assembly is first used (a module initializer), so code that only
    /// uses this library needs no call. Code that calls TorchSharp before touching any type of this
    /// library should call <see cref="EnsureLoaded"/> first. The cache directory is
    /// <c>$MLLAYERS_NATIVE_CACHE</c>, else <c>$XDG_CACHE_HOME/microsoft-ml-layers</c>, else
    /// <c>~/.cache/microsoft-ml-layers</c>, else the temporary folder. Setting <c>MLLAYERS_NATIVE_FIX=0</c>
    /// turns the fix off.
    /// </para>
    /// <para>
    /// On AMD processors with AVX-512 it also caps libtorch's oneDNN kernels at SSE4.1 (<c>ONEDNN_MAX_CPU_ISA=SSE41</c> in
    /// the native environment, unless already set): their AVX-512 and AVX2 convolutions return wrong values there
    /// (measured with libtorch 2.10; see docs/platform-notes.md).
    /// </para>
    /// </remarks>
    public static class NativeBackend
    {
        /// <summary>The environment variable that overrides the cache directory for the fixed native copy.</summary>
        public const string CacheDirectoryVariable = "MLLAYERS_NATIVE_CACHE";

        /// <summary>
        /// The environment variable that turns the fix off when set to <c>0</c> (for applications that
        /// provide their own loadable TorchSharp native library).
        /// </summary>
        public const string EnableVariable = "MLLAYERS_NATIVE_FIX";

        private const string TorchSharpNativeFile = "libLibTorchSharp.so";
        private static readonly string[] LibTorchLoadOrder = { "libc10.so", "libtorch_cpu.so", "libtorch.so" };

        private static readonly object Gate = new();
        private static bool _attempted;
        private static Exception? _failure;
        private static string? _fixedCopyPath;

        /// <summary>
        /// The path of the fixed copy of <c>libLibTorchSharp.so</c> this process loaded, or <see langword="null"/>
        /// when none was needed (the system libstdc++ is new enough, or the OS is not Linux).
        /// </summary>
        public static string? FixedLibraryPath
        {
            get
            {
                EnsureLoaded();
                return _fixedCopyPath;
            }
        }

        /// <summary>
        /// Prepares TorchSharp's native backend for this process. Idempotent and thread-safe; cheap after the first call.
        /// </summary>
        /// <exception cref="DllNotFoundException">The native backend cannot be made loadable; the message says what is missing and how to
        /// fix it.</exception>
        public static void EnsureLoaded()
        {
            Prepare();
            if (_failure is not null)
                throw new DllNotFoundException(_failure.Message, _failure);
        }

        /// <summary>Runs once per process when this assembly is first touched; records a failure instead of throwing it.</summary>
#pragma warning disable CA2255 // A library needs this here: the fix must precede TorchSharp's first native call.
        [ModuleInitializer]
#pragma warning restore CA2255
        internal static void Prepare()
        {
            lock (Gate)
            {
                if (_attempted)
                    return;
                _attempted = true;
                OneDnnIsaGuard.Apply();
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64
                    || Environment.GetEnvironmentVariable(EnableVariable) == "0")
                    return;
                try
                {
                    _fixedCopyPath = PrepareLinux();
                }
                catch (Exception e)
                {
                    _failure = e;
                }
            }
        }

        private static string? PrepareLinux()
        {
            var searchDirectories = NativeSearchDirectories();
            string? original = FindFile(TorchSharpNativeFile, searchDirectories);
            if (original is null)
            {
                // Nothing to fix, and nothing we can do: TorchSharp itself reports its missing natives.
                return null;
            }

            var image = new ElfImage(File.ReadAllBytes(original), original);
            string? systemLibStdCxx = LoadedLibraryPath("libstdc++.so.6");
            if (systemLibStdCxx is null)
                return null;
            var available = new ElfImage(File.ReadAllBytes(systemLibStdCxx), systemLibStdCxx).VersionDefinitions();

            var missing = image.VersionNeeds()
                .Where(n => n.File == "libstdc++.so.6" && !n.IsWeak && !available.Contains(n.Version))
                .ToList();
            if (missing.Count == 0)
                return null;

            foreach (var need in missing)
            {
                var used = image.RelocatedSymbolsOfVersion(need.Index);
                if (used.Count > 0)
                {
                    throw new DllNotFoundException(
                        $"TorchSharp's native library '{original}' needs {need.Version} of libstdc++ for " +
                        $"{string.Join(", ", used.Take(3))}, and the system's '{systemLibStdCxx}' does not provide it. " +
                        "Install a newer libstdc++ (from GCC 13 or later), or put one on LD_LIBRARY_PATH.");
                }
                image.MarkWeak(need);
            }

            string libTorchDirectory = FindLibTorchDirectory(searchDirectories, original);
            foreach (var library in LibTorchLoadOrder)
                NativeLibrary.Load(Path.Combine(libTorchDirectory, library));

            string fixedCopy = WriteFixedCopy(image.Bytes, missing.Select(n => n.Version));
            IntPtr handle = NativeLibrary.Load(fixedCopy);
            var torchSharp = typeof(TorchSharp.torch).Assembly;
            try
            {
                NativeLibrary.SetDllImportResolver(torchSharp, (name, assembly, path) =>
                    IsTorchSharpNative(name) ? handle : IntPtr.Zero);
            }
            catch (InvalidOperationException e)
            {
                throw new DllNotFoundException(
                    "Another component already set a DllImport resolver for TorchSharp, so the fixed copy of " +
                    $"{TorchSharpNativeFile} at '{fixedCopy}' cannot be wired in. Remove that resolver, or have it return " +
                    "this library's handle for 'LibTorchSharp'.", e);
            }
            return fixedCopy;
        }

        private static bool IsTorchSharpNative(string name)
        {
            string file = Path.GetFileNameWithoutExtension(name);
            return file.Equals("LibTorchSharp", StringComparison.Ordinal) || file.Equals("libLibTorchSharp", StringComparison.Ordinal);
        }

        private static string FindLibTorchDirectory(IReadOnlyList<string> searchDirectories, string torchSharpNative)
        {
            var candidates = new[] { Path.GetDirectoryName(torchSharpNative)! }.Concat(searchDirectories);
            foreach (var directory in candidates)
            {
                if (LibTorchLoadOrder.All(f => File.Exists(Path.Combine(directory, f))))
                    return directory;
            }
            throw new DllNotFoundException(
                $"libtorch's native libraries ({string.Join(", ", LibTorchLoadOrder)}) were not found next to '{torchSharpNative}' " +
                $"or in the native search directories ({string.Join(", ", searchDirectories)}). " +
                "Reference the package 'libtorch-cpu-linux-x64' 2.10.0 in the application (Microsoft.ML.Layers brings it transitively).");
        }

        private static string WriteFixedCopy(byte[] patched, IEnumerable<string> weakened)
        {
            string hash = Convert.ToHexString(SHA256.HashData(patched)).Substring(0, 16).ToLowerInvariant();
            var errors = new List<string>();
            foreach (var root in CacheRoots())
            {
                try
                {
                    string directory = Path.Combine(root, "native", hash);
                    string target = Path.Combine(directory, TorchSharpNativeFile);
                    if (File.Exists(target) && new FileInfo(target).Length == patched.Length
                        && File.ReadAllBytes(target).AsSpan().SequenceEqual(patched))
                        return target;
                    Directory.CreateDirectory(directory);
                    // Write then rename: concurrent processes (parallel test hosts) never see a partial file.
                    string temporary = Path.Combine(directory, $"{TorchSharpNativeFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
                    File.WriteAllBytes(temporary, patched);
                    File.Move(temporary, target, overwrite: true);
                    return target;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add($"{root}: {e.Message}");
                }
            }
            throw new DllNotFoundException(
                $"Could not write the fixed copy of {TorchSharpNativeFile} (versions {string.Join(", ", weakened)} marked weak) to any " +
                $"cache directory ({string.Join("; ", errors)}). Set {CacheDirectoryVariable} to a writable directory.");
        }

        private static IEnumerable<string> CacheRoots()
        {
            string? explicitRoot = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(explicitRoot))
            {
                yield return explicitRoot;
                yield break;
            }
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg))
                yield return Path.Combine(xdg, "microsoft-ml-layers");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home))
                yield return Path.Combine(home, ".cache", "microsoft-ml-layers");
            yield return Path.Combine(Path.GetTempPath(), $"microsoft-ml-layers-{Environment.UserName}");
        }

        /// <summary>The directories the .NET host probes for native libraries, then the conventional ones.</summary>
        private static IReadOnlyList<string> NativeSearchDirectories()
        {
            var directories = new List<string>();
            if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probed)
                directories.AddRange(probed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
            string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            foreach (var baseDirectory in new[] { AppContext.BaseDirectory,
                Path.GetDirectoryName(typeof(NativeBackend).Assembly.Location) })
            {
                if (string.IsNullOrEmpty(baseDirectory))
                    continue;
                directories.Add(baseDirectory);
                directories.Add(Path.Combine(baseDirectory, "runtimes", rid, "native"));
            }
            return directories.Select(d => Path.GetFullPath(d)).Distinct().ToList();
        }

        private static string? FindFile(string fileName, IEnumerable<string> directories)
            => directories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

        /// <summary>The path of an already loaded shared library, read from <c>/proc/self/maps</c>.</summary>
        private static string? LoadedLibraryPath(string soname)
        {
            if (NativeLibrary.TryLoad(soname, out _))
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash < 0)
                        continue;
                    string path = line.Substring(slash);
                    if (Path.GetFileName(path).StartsWith(soname.Split('.')[0] + ".so", StringComparison.Ordinal))
                        return path;
                }
            }
            return null;
        }
    }
}
