// Compiled into every project that uses eng/Publicize.targets. CoreCLR honours this attribute (it is
// not in the BCL's reference assemblies, so each assembly declares its own copy): code in the declaring
// assembly may use non-public members of the named assembly without MethodAccessException.
namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        public string AssemblyName { get; }
    }
}
