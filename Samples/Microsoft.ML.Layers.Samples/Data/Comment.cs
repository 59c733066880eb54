using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>One Wikipedia talk-page comment (Wikipedia Detox sample): whether it is toxic, and its text.</summary>
    public sealed class Comment
    {
        /// <summary>Whether the comment is toxic (the file's Sentiment column).</summary>
        [LoadColumn(0)] public bool Label { get; set; }

        [LoadColumn(1)] public string Text { get; set; } = "";

        /// <summary>A stand-in when the real files are absent: sentences of neutral words, toxic when they carry an insult.</summary>
        public static Comment[] Generate(int count, int seed)
        {
            var random = new Random(seed);
            string[] neutral = { "the", "article", "page", "edit", "source", "thanks", "please", "discussion", "section", "change", "i", "think", "you", "this", "is" };
            string[] insults = { "idiot", "stupid", "moron", "loser", "pathetic" };
            return Enumerable.Range(0, count).Select(i =>
            {
                var words = Enumerable.Range(0, random.Next(4, 14)).Select(_ => neutral[random.Next(neutral.Length)]).ToList();
                bool toxic = i % 3 == 0;
                if (toxic)
                    words.Insert(random.Next(words.Count), insults[random.Next(insults.Length)]);
                return new Comment { Label = toxic, Text = string.Join(" ", words) };
            }).ToArray();
        }

        /// <summary>The 250-comment training and 18-comment test files (the data README says 17; the file has 18 rows), or the stand-in.</summary>
        public static (IDataView Train, IDataView Test) Load(SampleRun run) => run.TrainAndTest("wikipedia-detox-250-line-data.tsv", "wikipedia-detox-250-line-test.tsv",
            file => run.ML.Data.LoadFromTextFile<Comment>(file, hasHeader: true, allowQuoting: true), Generate, trainRows: 250, testRows: 60);
    }
}
