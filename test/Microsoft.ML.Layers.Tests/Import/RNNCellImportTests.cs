using System;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// Keras 3 <c>.keras</c> archives holding <c>RNN</c> with cells, written here in Keras 3's layout: the cell's variables under
    /// <c>layers/rnn/cell/vars</c>, a stack's under <c>layers/rnn/cell/cells/&lt;snake_case class&gt;[_N]/vars</c> (which HDF5
    /// lists alphabetically, not in the stack's order).
    /// </summary>
    public sealed class RNNCellImportTests : WrittenKerasFiles
    {
        public RNNCellImportTests() : base("mllayers-rnn-cells-") { }

        private static string ModelJson(string cell) => $$$"""
            {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "trainable": true, "dtype": "float32", "layers": [
             {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4, 2], "dtype": "float32",
               "sparse": false, "ragged": false, "name": "input_layer", "optional": false}, "registered_name": null},
             {"module": "keras.layers", "class_name": "RNN", "config": {"name": "rnn", "trainable": true, "dtype": "float32",
               "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
               "zero_output_for_mask": false, "cell": {{{cell}}} }, "registered_name": null, "build_config": {"input_shape": [null, 4, 2]}}]},
             "registered_name": null, "build_config": {"input_shape": [null, 4, 2]}}
            """;

        private static string Cell(string className, string name, string extra) => $$$"""
            {"module": "keras.layers", "class_name": "{{{className}}}", "config": {"name": "{{{name}}}", "trainable": true,
             "dtype": "float32", {{{extra}}} }, "registered_name": null}
            """;

        private static H5Group Vars(Array[] values)
        {
            var vars = new H5Group();
            for (int i = 0; i < values.Length; i++)
                vars[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = values[i];
            return new H5Group { ["vars"] = vars };
        }

        private static Array[] Draw(Layer reference)
            => reference.Weights.Select(w => (Array)WeightArrays.ToArray(randn(w.shape) * 0.5f)).ToArray();

        [Fact]
        public void AnRnnWithAnLstmCellLoadsItsWeightsAndPredictsAsTheLstm()
        {
            var lstm = new LSTM(3, returnSequences: true);
            lstm.EnsureBuilt(new Shape(1, 4, 2));
            var weights = Draw(lstm);
            lstm.SetWeights(weights);
            var file = new H5File { ["layers"] = new H5Group { ["rnn"] = new H5Group { ["cell"] = Vars(weights) } } };
            string path = WriteKeras3Archive("lstm-cell", ModelJson(Cell("LSTMCell", "lstm_cell", "\"units\": 3")), file, "3.10.0");
            var x = randn(5, 4, 2);

            using var model = KerasModel.Load(path);

            Assert.IsType<LSTMCell>(Assert.IsType<RNN>(model.Layers[0]).Cell);
            TensorAssert.Close(lstm.Apply(x), model.Predict(x), 1e-5, 1e-5);
        }

        [Fact]
        public void StackedCellsLoadTheirGroupsInTheStacksOrderNotTheFilesAlphabeticalOne()
        {
            // simple_rnn_cell, gru_cell, gru_cell_1: HDF5 lists gru_cell, gru_cell_1, simple_rnn_cell.
            var first = new SimpleRNN(2, returnSequences: true);
            var second = new GRU(3, returnSequences: true);
            var third = new GRU(2, returnSequences: true);
            first.EnsureBuilt(new Shape(1, 4, 2));
            second.EnsureBuilt(new Shape(1, 4, 2));
            third.EnsureBuilt(new Shape(1, 4, 3));
            var w1 = Draw(first);
            var w2 = Draw(second);
            var w3 = Draw(third);
            first.SetWeights(w1);
            second.SetWeights(w2);
            third.SetWeights(w3);
            var file = new H5File
            {
                ["layers"] = new H5Group
                {
                    ["rnn"] = new H5Group
                    {
                        ["cell"] = new H5Group
                        {
                            ["cells"] = new H5Group { ["simple_rnn_cell"] = Vars(w1), ["gru_cell"] = Vars(w2), ["gru_cell_1"] = Vars(w3) },
                        },
                    },
                },
            };
            string stack = $$"""
                {"module": "keras.layers", "class_name": "StackedRNNCells", "config": {"name": "stacked_rnn_cells", "trainable": true,
                 "dtype": "float32", "cells": [{{Cell("SimpleRNNCell", "simple_rnn_cell", "\"units\": 2")}},
                 {{Cell("GRUCell", "gru_cell", "\"units\": 3")}}, {{Cell("GRUCell", "gru_cell_1", "\"units\": 2")}}]},
                 "registered_name": null}
                """;
            string path = WriteKeras3Archive("stacked-cells", ModelJson(stack), file, "3.10.0");
            var x = randn(5, 4, 2);

            using var model = KerasModel.Load(path);

            TensorAssert.Close(third.Apply(second.Apply(first.Apply(x))), model.Predict(x), 1e-5, 1e-5);
        }
    }
}
