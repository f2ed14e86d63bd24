using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sportello.Features.Notices;

/// <summary>
/// A notice's title or body: a string (one text for every reader), or <c>{en, it}</c>. A missing translation falls
/// back to the other language when shown.
/// </summary>
[JsonConverter(typeof(NoticeTextJson))]
public sealed record NoticeText(string? En, string? It)
{
    public static NoticeText Of(string? en, string? it) => new(en, it);
}

internal sealed class NoticeTextJson : JsonConverter<NoticeText>
{
    public override NoticeText? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new NoticeText(Text(ref reader), null);
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a string, or an object {en, it}.");
        }
        string? en = null, it = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.String => Text(ref reader),
                _ => throw new JsonException("Expected a string."),
            };
            switch (name)
            {
                case "en":
                    en = value;
                    break;
                case "it":
                    it = value;
                    break;
                default:
                    // Worded as System.Text.Json words an unknown field, so the problem names it the same way.
                    throw new JsonException($"The JSON property '{name}' could not be mapped to any .NET member contained in type 'NoticeText'.");
            }
        }
        return new NoticeText(en, it);
    }

    public override void Write(Utf8JsonWriter writer, NoticeText value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("en", value.En);
        writer.WriteString("it", value.It);
        writer.WriteEndObject();
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        var text = reader.GetString();
        return text is not null && text.Contains('\0', StringComparison.Ordinal) ? throw new JsonException("A NUL character is not text.") : text;
    }
}
