using System;
using System.IO;
using System.Linq;
using Mono.Cecil;

// Usage: Publicizer <output directory> <assembly.dll>...
// Writes each assembly to the output directory with:
// - every type public (nested types NestedPublic);
// - every internal and private-protected method and field public (ML.NET's [BestFriend] surface);
// - private members unchanged: they are implementation details, and publishing them would make them
//   collide with same-named members of derived classes (CS0108) and explicit interface implementations;
// - protected and protected-internal members unchanged, so that overrides written against the
//   publicized copy keep the accessibility the real assembly demands at run time.
// Only the compile-time references change; the application still runs against the original assembly,
// which allows the access through [assembly: IgnoresAccessChecksTo(...)].
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output directory> <assembly.dll>...");
    return 2;
}

string outputDirectory = args[0];
Directory.CreateDirectory(outputDirectory);
foreach (var input in args.Skip(1))
{
    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
    int changed = 0;
    foreach (var type in assembly.MainModule.GetTypes())
    {
        changed += Publicize(type);
    }
    string output = Path.Combine(outputDirectory, Path.GetFileName(input));
    assembly.Write(output);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output} ({changed} members and types made public)");
}
return 0;

static int Publicize(TypeDefinition type)
{
    int changed = 0;
    if (type.IsNested ? !type.IsNestedPublic : !type.IsPublic)
    {
        type.Attributes &= ~TypeAttributes.VisibilityMask;
        type.Attributes |= type.IsNested ? TypeAttributes.NestedPublic : TypeAttributes.Public;
        changed++;
    }
    foreach (var method in type.Methods)
    {
        if (method.IsAssembly || method.IsFamilyAndAssembly)
        {
            method.Attributes &= ~MethodAttributes.MemberAccessMask;
            method.Attributes |= MethodAttributes.Public;
            changed++;
        }
    }
    foreach (var field in type.Fields)
    {
        if (field.IsAssembly || field.IsFamilyAndAssembly)
        {
            field.Attributes &= ~FieldAttributes.FieldAccessMask;
            field.Attributes |= FieldAttributes.Public;
            changed++;
        }
    }
    return changed;
}
