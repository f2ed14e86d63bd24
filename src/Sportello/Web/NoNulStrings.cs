using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sportello.Web;

/// <summary>
/// JSON strings that hold a NUL character are refused where they are read (400 naming the field): no text a person
/// writes has one, and PostgreSQL cannot store one in a text column, so it would otherwise fail as a 500 much later.
/// </summary>
internal sealed class NoNulStrings : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.TokenType == JsonTokenType.String ? reader.GetString()
            : throw new JsonException("Expected a string.");
        return value is not null && value.Contains('\0', StringComparison.Ordinal) ? throw new JsonException("A NUL character is not text.") : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
