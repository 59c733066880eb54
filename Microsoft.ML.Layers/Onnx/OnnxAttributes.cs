using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Onnx;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// The attributes of one ONNX node, written with a collection initializer:
    /// <c>new OnnxAttributes { { "axis", 1 }, { "perm", new long[] { 0, 2, 1 } } }</c>.
    /// </summary>
    public sealed class OnnxAttributes : IEnumerable<AttributeProto>
    {
        private readonly List<AttributeProto> _attributes = new();

        /// <summary>An integer attribute.</summary>
        public void Add(string name, long value)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.Int, a => a.I = value));

        /// <summary>A float attribute.</summary>
        public void Add(string name, float value)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.Float, a => a.F = value));

        /// <summary>A string attribute.</summary>
        public void Add(string name, string value)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.String,
                a => a.S = Google.Protobuf.ByteString.CopyFromUtf8(value ?? throw new ArgumentNullException(nameof(value)))));

        /// <summary>An integer list attribute.</summary>
        public void Add(string name, IEnumerable<long> values)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.Ints, a => a.Ints.AddRange(values)));

        /// <summary>A float list attribute.</summary>
        public void Add(string name, IEnumerable<float> values)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.Floats, a => a.Floats.AddRange(values)));

        /// <summary>A string list attribute.</summary>
        public void Add(string name, IEnumerable<string> values)
            => _attributes.Add(New(name, AttributeProto.Types.AttributeType.Strings,
                a => a.Strings.AddRange(values.Select(Google.Protobuf.ByteString.CopyFromUtf8))));

        /// <summary>An attribute already written (copied from another list).</summary>
        internal void Add(AttributeProto attribute) => _attributes.Add(attribute);

        private static AttributeProto New(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> set)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            var attribute = new AttributeProto { Name = name, Type = type };
            set(attribute);
            return attribute;
        }

        /// <inheritdoc />
        public IEnumerator<AttributeProto> GetEnumerator() => _attributes.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
