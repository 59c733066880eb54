using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Microsoft.ML.Layers.Native
{
    /// <summary>
    /// Keeps libtorch's oneDNN kernels on SSE4.1 on AMD processors with AVX-512, where its AVX kernels compute wrong convolutions.
    /// </summary>
    /// <remarks>
    /// Measured on this project's machines (AMD EPYC with AVX-512, libtorch 2.10 CPU): oneDNN's AVX-512 convolution
    /// kernels return wrong values without any error: against the same convolutions in float64 (which libtorch computes
    /// without oneDNN), 40 of 160 random float32 forward convolutions (depthwise, transposed, 1-D strided) were wrong by up
    /// to 9.6 on unit-variance data, at every AVX-512 level oneDNN offers (<c>AVX512_CORE</c> included). Capped at
    /// <c>AVX2</c> the forward passes were exact but 120 of 180 convolution gradients were wrong; capped at <c>SSE41</c>
    /// all 340 were exact (largest difference 1e-5). The cap slows convolutions, not matrix products. oneDNN reads
    /// that variable from the native environment at its first primitive, so it is set with libc's <c>setenv</c> (the
    /// managed <c>Environment.SetEnvironmentVariable</c> does not reach native code on Linux) before TorchSharp runs.
    /// A value the user already set (<c>ONEDNN_MAX_CPU_ISA</c> or <c>DNNL_MAX_CPU_ISA</c>) is left alone.
    /// </remarks>
    internal static class OneDnnIsaGuard
    {
        internal const string Variable = "ONEDNN_MAX_CPU_ISA";
        internal const string LegacyVariable = "DNNL_MAX_CPU_ISA";
        internal const string SafeIsa = "SSE41";

        /// <summary>Whether this processor needs the cap: an AMD x86-64 processor with AVX-512.</summary>
        internal static bool IsAffectedProcessor => X86Base.IsSupported && Avx512F.IsSupported && Vendor() == "AuthenticAMD";

        /// <summary>Sets <c>ONEDNN_MAX_CPU_ISA=SSE41</c> in the native environment on an affected processor, unless set.</summary>
        internal static void Apply()
        {
            if (!OperatingSystem.IsLinux() || !IsAffectedProcessor)
                return;
            if (Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable(LegacyVariable) is not null)
                return;
            SetEnv(Variable, SafeIsa, overwrite: 0);
        }

        /// <summary>The native environment's value of <paramref name="name"/> (what oneDNN sees).</summary>
        internal static string? NativeValue(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

        private static string Vendor()
        {
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            var bytes = new byte[12];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), ebx);
            BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), edx);
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), ecx);
            return Encoding.ASCII.GetString(bytes);
        }

        [DllImport("libc", EntryPoint = "setenv")]
        private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name,
            [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

        [DllImport("libc", EntryPoint = "getenv")]
        private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    }
}
