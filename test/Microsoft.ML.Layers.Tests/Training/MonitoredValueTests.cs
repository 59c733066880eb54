using System;
using Microsoft.ML.Layers.Callbacks;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Training
{
    public sealed class MonitoredValueTests
    {
        [Fact]
        public void CallbacksWatchValidationLossByDefaultAsKerasDoes()
        {
            Assert.Equal("val_loss", new EarlyStopping().Monitor);
            Assert.Equal("val_loss", new ReduceLROnPlateau().Monitor);
            Assert.Equal("val_loss", new ModelCheckpoint("model.zip").Monitor);
        }

        [Fact]
        public void AnyLogNameOrAWellKnownOneCanBeWatched()
        {
            Assert.Equal("val_auc", new EarlyStopping(monitor: "val_auc").Monitor);
            Assert.Equal("val_accuracy", new ReduceLROnPlateau(monitor: MonitoredValue.ValAccuracy).Monitor);
            Assert.Equal("loss", new ModelCheckpoint("model.zip", monitor: MonitoredValue.Loss).Monitor);
            Assert.Equal(new MonitoredValue("accuracy"), MonitoredValue.Accuracy);
        }

        [Fact]
        public void AnEmptyNameIsRefusedNamingTheArgument()
        {
            var error = Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: ""));
            Assert.Contains("monitor=''", error.Message);
        }
    }
}
