using System;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// The scored view as a step of ML.NET's ONNX conversion: <c>ConvertToOnnx</c> walks the transformed view back through
    /// <see cref="Source"/> and asks each step to write itself (see <see cref="NetworkOnnxWriter"/>).
    /// </summary>
    internal sealed partial class ScoredDataView : ITransformCanSaveOnnx
    {
        /// <summary>The view that was scored.</summary>
        public IDataView Source => _input;

        /// <summary>
        /// Always true, so that ML.NET's walk back through the pipeline does not silently stop here: what the network cannot
        /// express fails in <see cref="SaveAsOnnx"/> with an exception naming the column or layer.
        /// </summary>
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        /// <inheritdoc cref="NetworkOnnxWriter.Write"/>
        public void SaveAsOnnx(OnnxContext ctx)
        {
            ArgumentNullException.ThrowIfNull(ctx);
            NetworkOnnxWriter.Write(ctx, _scorer, _scorer.Columns.Added);
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
            => throw new NotSupportedException("A scored view is not saved on its own: save the transformer that made it " +
                "(mlContext.Model.Save(model, schema, path)).");
    }
}
