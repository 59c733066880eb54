using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Initializers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>The random initializers by name, each made with a seed (or none).</summary>
    internal static class RandomInitializerCatalog
    {
        public static readonly IReadOnlyDictionary<string, Func<long?, Initializer>> ByName = new Dictionary<string, Func<long?, Initializer>>
        {
            ["RandomNormal"] = seed => Initializer.RandomNormal(seed: seed),
            ["RandomUniform"] = seed => Initializer.RandomUniform(seed: seed),
            ["TruncatedNormal"] = seed => Initializer.TruncatedNormal(seed: seed),
            ["VarianceScaling"] = seed => Initializer.VarianceScaling(seed: seed),
            ["VarianceScalingUntruncated"] = seed => Initializer.VarianceScaling(2.0, VarianceScalingMode.FanOut, VarianceScalingDistribution.UntruncatedNormal, seed),
            ["GlorotUniform"] = seed => Initializer.GlorotUniform(seed),
            ["GlorotNormal"] = seed => Initializer.GlorotNormal(seed),
            ["HeUniform"] = seed => Initializer.HeUniform(seed),
            ["HeNormal"] = seed => Initializer.HeNormal(seed),
            ["LecunUniform"] = seed => Initializer.LecunUniform(seed),
            ["LecunNormal"] = seed => Initializer.LecunNormal(seed),
            ["Orthogonal"] = seed => Initializer.Orthogonal(seed: seed),
        };

        public static TheoryData<string> Names()
        {
            var data = new TheoryData<string>();
            foreach (var name in ByName.Keys)
                data.Add(name);
            return data;
        }
    }
}
