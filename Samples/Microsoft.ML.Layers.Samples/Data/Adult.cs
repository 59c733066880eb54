using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>One census row (UCI Adult): numeric and categorical columns and whether the income is over $50K.</summary>
    public sealed class Adult
    {
        [LoadColumn(0)] public float Age { get; set; }
        [LoadColumn(1)] public string Workclass { get; set; } = "";
        [LoadColumn(3)] public string Education { get; set; } = "";
        [LoadColumn(4)] public float EducationNum { get; set; }
        [LoadColumn(5)] public string MaritalStatus { get; set; } = "";
        [LoadColumn(6)] public string Occupation { get; set; } = "";
        [LoadColumn(7)] public string Relationship { get; set; } = "";
        [LoadColumn(8)] public string Ethnicity { get; set; } = "";
        [LoadColumn(9)] public string Sex { get; set; } = "";
        [LoadColumn(10)] public float CapitalGain { get; set; }
        [LoadColumn(11)] public float CapitalLoss { get; set; }
        [LoadColumn(12)] public float HoursPerWeek { get; set; }
        [LoadColumn(13)] public string NativeCountry { get; set; } = "";

        /// <summary>Whether the income is over $50K.</summary>
        [LoadColumn(14)] public bool Label { get; set; }

        /// <summary>The categorical (text) columns.</summary>
        public static readonly string[] Categorical = { "Workclass", "Education", "MaritalStatus", "Occupation", "Relationship", "Ethnicity", "Sex", "NativeCountry" };

        /// <summary>The numeric columns.</summary>
        public static readonly string[] Numeric = { "Age", "EducationNum", "CapitalGain", "CapitalLoss", "HoursPerWeek" };

        /// <summary>
        /// A stand-in when the real file is absent: random people, over $50K when married with a degree or with capital
        /// gains over 5,000, and 5% of the labels flipped.
        /// </summary>
        public static Adult[] Generate(int count, int seed)
        {
            var random = new Random(seed);
            string Pick(params string[] values) => values[random.Next(values.Length)];
            return Enumerable.Range(0, count).Select(_ =>
            {
                var person = new Adult
                {
                    Age = random.Next(18, 80),
                    Workclass = Pick("Private", "Self-emp", "Gov"),
                    Education = Pick("HS-grad", "Some-college", "Bachelors", "Masters"),
                    MaritalStatus = Pick("Married", "Never-married", "Divorced"),
                    Occupation = Pick("Sales", "Tech-support", "Craft-repair", "Exec-managerial"),
                    Relationship = Pick("Husband", "Wife", "Not-in-family"),
                    Ethnicity = Pick("White", "Black", "Other"),
                    Sex = Pick("Male", "Female"),
                    CapitalGain = random.NextDouble() < 0.1 ? random.Next(1000, 20000) : 0,
                    CapitalLoss = random.NextDouble() < 0.05 ? random.Next(500, 3000) : 0,
                    HoursPerWeek = random.Next(10, 70),
                    NativeCountry = Pick("United-States", "Mexico", "India"),
                };
                person.EducationNum = Array.IndexOf(new[] { "HS-grad", "Some-college", "Bachelors", "Masters" }, person.Education) + 9;
                bool rich = (person.MaritalStatus == "Married" && person.EducationNum >= 11) || person.CapitalGain > 5000;
                person.Label = rich ^ (random.NextDouble() < 0.05);
                return person;
            }).ToArray();
        }

        /// <summary>adult.txt split 80/20, or the stand-in split the same way.</summary>
        public static (IDataView Train, IDataView Test) Load(SampleRun run)
        {
            var ml = run.ML;
            var files = run.RealFiles("adult.txt");
            var data = files is null
                ? ml.Data.LoadFromEnumerable(Generate(4000, seed: 1))
                : ml.Data.LoadFromTextFile<Adult>(files[0], separatorChar: ',', hasHeader: true, trimWhitespace: true);
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
            return (split.TrainSet, split.TestSet);
        }
    }
}
