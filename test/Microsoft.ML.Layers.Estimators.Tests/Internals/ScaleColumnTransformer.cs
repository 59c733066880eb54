using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators.Tests.Internals;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(ScaleColumnTransformer), null, typeof(SignatureLoadModel),
    "Scale column (test)", ScaleColumnTransformer.LoaderSignature)]

namespace Microsoft.ML.Layers.Estimators.Tests.Internals
{
    /// <summary>
    /// The smallest transformer that uses ML.NET's internal save/load API the way the product's transformers do:
    /// it multiplies a Single column by a factor, saves the factor and column names with
    /// <see cref="ModelSaveContext.SaveBinaryStream"/> and is found again through <see cref="LoadableClassAttribute"/>.
    /// </summary>
    internal sealed class ScaleColumnTransformer : RowToRowTransformerBase
    {
        internal const string LoaderSignature = "MLLayersScaleColumn";
        private const string StreamName = "ScaleColumn.bin";

        public ScaleColumnTransformer(IHostEnvironment env, string inputColumn, string outputColumn, float factor)
            : base(env.Register(nameof(ScaleColumnTransformer)))
        {
            InputColumn = inputColumn;
            OutputColumn = outputColumn;
            Factor = factor;
        }

        // Found by ML.NET's component catalog from the LoadableClass registration above.
        private ScaleColumnTransformer(IHostEnvironment env, ModelLoadContext ctx)
            : base(env.Register(nameof(ScaleColumnTransformer)))
        {
            ctx.CheckAtModel(VersionInfo());
            string? input = null, output = null;
            float factor = 0;
            if (!ctx.TryLoadBinaryStream(StreamName, reader =>
            {
                // Layout: string input column, string output column, float factor.
                input = reader.ReadString();
                output = reader.ReadString();
                factor = reader.ReadSingle();
            }))
            {
                throw new FormatException($"The model has no '{StreamName}' stream.");
            }
            InputColumn = input!;
            OutputColumn = output!;
            Factor = factor;
        }

        public string InputColumn { get; }

        public string OutputColumn { get; }

        public float Factor { get; }

        private static VersionInfo VersionInfo() => new(
            modelSignature: "MLLSCALE",
            verWrittenCur: 0x00010001,
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(ScaleColumnTransformer).Assembly.FullName);

        public override void SaveModel(ModelSaveContext ctx)
        {
            ctx.CheckAtModel();
            ctx.SetVersionInfo(VersionInfo());
            ctx.SaveBinaryStream(StreamName, writer =>
            {
                writer.Write(InputColumn);
                writer.Write(OutputColumn);
                writer.Write(Factor);
            });
        }

        public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

        private sealed class Mapper : MapperBase
        {
            private readonly ScaleColumnTransformer _parent;
            private readonly int _inputIndex;

            public Mapper(ScaleColumnTransformer parent, DataViewSchema schema)
                : base(parent.Host, schema, parent)
            {
                _parent = parent;
                if (!schema.TryGetColumnIndex(parent.InputColumn, out _inputIndex))
                    throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{parent.InputColumn}' not found.");
            }

            protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
                => new[] { new DataViewSchema.DetachedColumn(_parent.OutputColumn, NumberDataViewType.Single) };

            protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            {
                disposer = null!;
                var source = input.GetGetter<float>(input.Schema[_inputIndex]);
                float value = 0;
                ValueGetter<float> getter = (ref float result) =>
                {
                    source(ref value);
                    result = value * _parent.Factor;
                };
                return getter;
            }

            public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
                => column => column == _inputIndex && activeOutput(0);

            public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);
        }
    }
}
