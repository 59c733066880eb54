using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>
    /// TorchSharp 0.107 passes a <c>Scalar</c>'s raw handle to libtorch without keeping the managed object alive: a
    /// temporary Scalar (an implicit conversion from a number, or a <c>ToScalar()</c> whose result is not held) can be
    /// finalized, and its native value freed, by a collection during the native call. The product code therefore
    /// creates Scalars only in two shapes this test recognises in the compiled IL: once, in a static constructor, into
    /// a <c>static readonly</c> field (the library's <c>Scalars</c> cache), or into a local that a <c>using</c> disposes
    /// after the call (the <c>Dispose</c> keeps it reachable until then).
    /// </summary>
    public sealed class ScalarSafetyTests
    {
        private static readonly string[] ProductAssemblies = { "Microsoft.ML.Layers.dll", "Microsoft.ML.Layers.Estimators.dll" };

        [Fact]
        public void ProductCodeCreatesNoTemporaryScalars()
        {
            var offenders = new List<string>();
            int scanned = 0;
            foreach (var file in ProductAssemblies)
            {
                var path = Path.Combine(AppContext.BaseDirectory, file);
                Assert.True(File.Exists(path), $"The product assembly {path} is missing from the test's output folder.");
                using var module = ModuleDefinition.ReadModule(path, Reading());
                foreach (var method in AllMethods(module))
                {
                    scanned++;
                    offenders.AddRange(ScalarOffenders(method));
                }
            }

            Assert.True(scanned > 1000, $"Expected to scan the product's methods; scanned {scanned}.");
            Assert.True(offenders.Count == 0,
                $"{offenders.Count} temporary TorchSharp Scalar(s) in product code (use Scalars.* constants, a tensor, or "
                + "'using var s = x.ToScalar();' around the call):" + Environment.NewLine
                + string.Join(Environment.NewLine, offenders));
        }

        [Fact]
        public void TheScanFindsEachUnsafeShapeAndAcceptsTheSafeOnes()
        {
            // The test assembly itself holds the samples below; scan them as the product is scanned.
            using var module = ModuleDefinition.ReadModule(typeof(ScalarSafetyTests).Assembly.Location, Reading());
            var samples = module.GetType(typeof(ScalarSamples).FullName!.Replace('+', '/'));
            Assert.NotNull(samples);
            var methods = samples.Methods.Concat(samples.NestedTypes.SelectMany(t => t.Methods)).Where(m => m.HasBody).ToList();
            // A lambda's body is compiled into a method named <Outer>b__..., in a nested closure class.
            int Findings(string name) => methods.Where(m => m.Name == name || m.Name.StartsWith($"<{name}>", StringComparison.Ordinal))
                .Sum(m => ScalarOffenders(m).Count());

            Assert.Equal(1, Findings(nameof(ScalarSamples.ImplicitDouble)));
            Assert.Equal(2, Findings(nameof(ScalarSamples.ImplicitIntsInClamp)));
            Assert.Equal(1, Findings(nameof(ScalarSamples.ToScalarTemporary)));
            Assert.Equal(1, Findings(nameof(ScalarSamples.ToScalarLocalNotDisposed)));
            Assert.Equal(1, Findings(nameof(ScalarSamples.ImplicitInLambda)));
            Assert.Equal(1, Findings(nameof(ScalarSamples.TensorPlusTensor)));
            Assert.Equal(1, Findings(nameof(ScalarSamples.Square)));
            Assert.Equal(0, Findings(nameof(ScalarSamples.UsingLocal)));
            Assert.Equal(0, Findings(nameof(ScalarSamples.CachedField)));
            Assert.Equal(0, Findings(".cctor"));
        }

        [Fact]
        public void TheSoftplusReplacementIsTorchSharpsSoftplus()
        {
            // ScalarMath.Softplus calls TorchSharp's private Scalar overload; it must be the very same kernel.
            using var scope = TorchSharp.torch.NewDisposeScope();
            var x = TorchSharp.torch.linspace(-30, 30, 241);
            Assert.True(TorchSharp.torch.nn.functional.softplus(x).equal(x.Softplus()).all().item<bool>());
        }

        private static ReaderParameters Reading()
        {
            var resolver = new DefaultAssemblyResolver();
            resolver.AddSearchDirectory(AppContext.BaseDirectory);
            return new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = true };
        }

        internal static IEnumerable<MethodDefinition> AllMethods(ModuleDefinition module)
            => module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody);

        /// <summary>Each call creating a Scalar that is neither cached in a static readonly field nor a disposed local.</summary>
        internal static IEnumerable<string> ScalarOffenders(MethodDefinition method)
        {
            var instructions = method.Body.Instructions;
            for (int i = 0; i < instructions.Count; i++)
            {
                var instruction = instructions[i];
                if (!CreatesScalar(instruction))
                {
                    // A TorchSharp overload taking a number (x * 0.5, x.square(), x.add_(y) with its implicit alpha 1)
                    // makes the same temporary Scalar inside TorchSharp, out of the caller's reach.
                    if (instruction.Operand is MethodReference called && IsTorchSharp(called)
                        && called.Resolve() is { } definition && MakesTemporaryScalar(definition))
                        yield return $"{method.DeclaringType.FullName}.{method.Name}: {instruction} (a temporary Scalar inside)"
                            + Where(method, instruction);
                    continue;
                }
                var next = i + 1 < instructions.Count ? instructions[i + 1] : null;
                if (method.IsConstructor && method.IsStatic && next?.OpCode == OpCodes.Stsfld
                    && next.Operand is FieldReference field && field.Resolve() is { IsInitOnly: true, IsStatic: true })
                    continue;
                if (IsToScalar(instruction) && next is not null && StoredLocal(method, next) is { } local
                    && IsDisposedInFinally(method, local))
                    continue;
                yield return $"{method.DeclaringType.FullName}.{method.Name}: {instruction}{Where(method, instruction)}";
            }
        }

        /// <summary>" at File.cs:line" from the symbols, when the assembly has them.</summary>
        private static string Where(MethodDefinition method, Instruction instruction)
        {
            if (!method.DebugInformation.HasSequencePoints)
                return "";
            for (var at = instruction; at is not null; at = at.Previous)
            {
                if (method.DebugInformation.GetSequencePoint(at) is { IsHidden: false } point)
                    return $" at {Path.GetFileName(point.Document.Url)}:{point.StartLine}";
            }
            return "";
        }

        private static bool IsTorchSharp(MemberReference member)
            => member.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal);

        /// <summary>A TorchSharp call returning a Scalar it made: a conversion, <c>ToScalar()</c>, or any other.</summary>
        private static bool CreatesScalar(Instruction instruction)
            => instruction.Operand is MethodReference callee && IsTorchSharp(callee)
                && (instruction.OpCode == OpCodes.Newobj
                    ? callee.DeclaringType.FullName == "TorchSharp.Scalar"
                    : (instruction.OpCode == OpCodes.Call || instruction.OpCode == OpCodes.Callvirt)
                        && callee.ReturnType.FullName == "TorchSharp.Scalar");

        private static readonly Dictionary<string, bool> TorchSharpVerdicts = new();

        /// <summary>Whether a TorchSharp method (that does not return it) makes a Scalar it does not keep alive in the
        /// shapes above, directly or through the TorchSharp methods it calls.</summary>
        private static bool MakesTemporaryScalar(MethodDefinition method)
        {
            var key = method.FullName;
            lock (TorchSharpVerdicts)
            {
                if (TorchSharpVerdicts.TryGetValue(key, out var known))
                    return known;
                TorchSharpVerdicts[key] = false; // recursion guard
            }
            bool verdict = method.HasBody && method.ReturnType.FullName != "TorchSharp.Scalar"
                && (ScalarOffenders(method).Any());
            lock (TorchSharpVerdicts)
                TorchSharpVerdicts[key] = verdict;
            return verdict;
        }

        private static bool IsToScalar(Instruction instruction)
            => instruction.Operand is MethodReference callee && callee.ReturnType.FullName == "TorchSharp.Scalar"
                && callee.Name.StartsWith("To", StringComparison.Ordinal) && callee.Name.EndsWith("Scalar", StringComparison.Ordinal);

        private static VariableDefinition? StoredLocal(MethodDefinition method, Instruction store)
        {
            var code = store.OpCode.Code;
            int index = code switch
            {
                Code.Stloc_0 => 0,
                Code.Stloc_1 => 1,
                Code.Stloc_2 => 2,
                Code.Stloc_3 => 3,
                Code.Stloc_S or Code.Stloc => ((VariableDefinition)store.Operand).Index,
                _ => -1,
            };
            return index < 0 ? null : method.Body.Variables[index];
        }

        private static int? LoadedLocal(Instruction load) => load.OpCode.Code switch
        {
            Code.Ldloc_0 => 0,
            Code.Ldloc_1 => 1,
            Code.Ldloc_2 => 2,
            Code.Ldloc_3 => 3,
            Code.Ldloc_S or Code.Ldloc => ((VariableDefinition)load.Operand).Index,
            _ => null,
        };

        /// <summary>A <c>using</c>: a finally handler that loads the local and calls <c>Dispose</c> on it.</summary>
        private static bool IsDisposedInFinally(MethodDefinition method, VariableDefinition local)
        {
            foreach (var handler in method.Body.ExceptionHandlers.Where(h => h.HandlerType == ExceptionHandlerType.Finally))
            {
                for (var instruction = handler.HandlerStart; instruction is not null && instruction != handler.HandlerEnd;
                    instruction = instruction.Next)
                {
                    if (LoadedLocal(instruction) == local.Index && instruction.Next is { } call
                        && (call.OpCode == OpCodes.Callvirt || call.OpCode == OpCodes.Call)
                        && call.Operand is MethodReference { Name: "Dispose" })
                        return true;
                }
            }
            return false;
        }

        /// <summary>The shapes the scan must tell apart; never run, only scanned.</summary>
        internal static class ScalarSamples
        {
            private static readonly TorchSharp.Scalar Half = 0.5;

            internal static TorchSharp.torch.Tensor ImplicitDouble(TorchSharp.torch.Tensor x) => x * 0.5;

            internal static TorchSharp.torch.Tensor ImplicitIntsInClamp(TorchSharp.torch.Tensor x) => x.clamp(0, 1);

            internal static TorchSharp.torch.Tensor ToScalarTemporary(TorchSharp.torch.Tensor x, double rate)
                => x.mul(TorchSharp.ScalarExtensionMethods.ToScalar(rate));

            internal static TorchSharp.torch.Tensor ToScalarLocalNotDisposed(TorchSharp.torch.Tensor x, double rate)
            {
                var s = TorchSharp.ScalarExtensionMethods.ToScalar(rate);
                return x.mul(s);
            }

            internal static Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> ImplicitInLambda() => x => x.mul(2);

            internal static TorchSharp.torch.Tensor UsingLocal(TorchSharp.torch.Tensor x, double rate)
            {
                using var s = TorchSharp.ScalarExtensionMethods.ToScalar(rate);
                return x.mul(s);
            }

            internal static TorchSharp.torch.Tensor TensorPlusTensor(TorchSharp.torch.Tensor x) => x + x;

            internal static TorchSharp.torch.Tensor Square(TorchSharp.torch.Tensor x) => x.square();

            internal static TorchSharp.torch.Tensor CachedField(TorchSharp.torch.Tensor x) => x.mul(Half);
        }
    }
}
