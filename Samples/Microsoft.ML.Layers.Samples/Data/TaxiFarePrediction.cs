namespace Microsoft.ML.Layers.Samples
{
    /// <summary>The taxi pipeline's answer for one trip: the predicted fare (ML.NET's <c>Score</c> column), also the HTTP answer.</summary>
    public sealed class TaxiFarePrediction
    {
        public float Score { get; set; }
    }
}
