using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>The schema shapes of the score columns of each task, as <see cref="ScoreColumns"/> produces them (for
    /// GetOutputSchema).</summary>
    internal static class ScoreColumnShapes
    {
        public static IEnumerable<SchemaShape.Column> For(NeuralNetworkTask task)
        {
            var scalar = SchemaShape.Column.VectorKind.Scalar;
            var vector = SchemaShape.Column.VectorKind.Vector;
            switch (task)
            {
                case NeuralNetworkTask.Regression:
                    yield return new SchemaShape.Column("Score", scalar, NumberDataViewType.Single, false,
                        Annotations(false, false, false));
                    break;
                case NeuralNetworkTask.BinaryClassification:
                    yield return new SchemaShape.Column("Score", scalar, NumberDataViewType.Single, false,
                        Annotations(false, false, false));
                    yield return new SchemaShape.Column("Probability", scalar, NumberDataViewType.Single, false,
                        Annotations(true, false, false));
                    yield return new SchemaShape.Column("PredictedLabel", scalar, BooleanDataViewType.Instance, false,
                        Annotations(false, false, false));
                    break;
                default:
                    yield return new SchemaShape.Column("Score", vector, NumberDataViewType.Single, false, Annotations(false, true, false));
                    yield return new SchemaShape.Column("PredictedLabel", scalar, NumberDataViewType.UInt32, true,
                        Annotations(false, false, true));
                    break;
            }
        }

        private static SchemaShape Annotations(bool normalized, bool slotNames, bool keyValues)
        {
            var columns = new List<SchemaShape.Column>
            {
                new("ScoreColumnSetId", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true),
                new("ScoreColumnKind", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
                new("ScoreValueKind", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            };
            if (normalized)
                columns.Add(new("IsNormalized", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false));
            if (slotNames)
            {
                columns.Add(new("SlotNames", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
                columns.Add(new("TrainingLabelValues", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
            }
            if (keyValues)
                columns.Add(new("KeyValues", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
            return new SchemaShape(columns);
        }
    }
}
