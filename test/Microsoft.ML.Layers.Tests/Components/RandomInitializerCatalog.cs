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
            ["RandomNormal"] = seed => Initializers.RandomNormal(seed: seed),
            ["RandomUniform"] = seed => Initializers.RandomUniform(seed: seed),
            ["TruncatedNormal"] = seed => Initializers.TruncatedNormal(seed: seed),
            ["VarianceScaling"] = seed => Initializers.VarianceScaling(seed: seed),
            ["VarianceScalingUntruncated"] = seed => Initializers.VarianceScaling(2.0, VarianceScalingMode.FanOut, VarianceScalingDistribution.UntruncatedNormal, seed),
            ["GlorotUniform"] = seed => Initializers.GlorotUniform(seed),
            ["GlorotNormal"] = seed => Initializers.GlorotNormal(seed),
            ["HeUniform"] = seed => Initializers.HeUniform(seed),
            ["HeNormal"] = seed => Initializers.HeNormal(seed),
            ["LecunUniform"] = seed => Initializers.LecunUniform(seed),
            ["LecunNormal"] = seed => Initializers.LecunNormal(seed),
            ["Orthogonal"] = seed => Initializers.Orthogonal(seed: seed),
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
