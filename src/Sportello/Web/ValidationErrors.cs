using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Sportello.Web;

/// <summary>
/// Field-named validation errors, as problem+json <c>errors</c> (camelCase field names). A message is a constant
/// English text, or a composite format with its values (<c>"{0} is listed twice."</c>): the API gets it in English,
/// a page in the reader's language, values filled in after translation.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<Message>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    /// <summary>Adds <paramref name="message"/>, a constant text or, with <paramref name="values"/>, a composite format.</summary>
    public ValidationErrors Add(string field, string message, params object?[] values)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(new Message(message, values));
        return this;
    }

    public bool Has(string field) => errors.ContainsKey(field);

    /// <summary>The messages of <paramref name="field"/>, in English.</summary>
    public IEnumerable<string> For(string field) => errors.TryGetValue(field, out var list) ? list.Select(m => m.English) : [];

    /// <summary>The API's <c>errors</c>: English, values filled in.</summary>
    public Dictionary<string, string[]> ToDictionary() =>
        errors.ToDictionary(e => e.Key, e => e.Value.Select(m => m.English).ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// Puts the errors into a Razor Page's ModelState, in the reader's language, mapping API fields to form fields
    /// (<c>subject</c> to <c>{prefix}Subject</c>; <paramref name="field"/> first renames an API field, say
    /// <c>ipAddresses[2]</c> to the form's one <c>ipAddresses</c>).
    /// </summary>
    public void CopyTo(PageModel page, string prefix = "", Func<string, string>? field = null)
    {
        var text = page.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<Text>>();
        foreach (var (name, messages) in errors)
        {
            var formField = field?.Invoke(name) ?? name;
            var key = prefix + char.ToUpperInvariant(formField[0]) + formField[1..];
            foreach (var message in messages)
            {
                page.ModelState.AddModelError(key, message.In(text));
            }
        }
    }

    private sealed record Message(string Text, object?[] Values)
    {
        public string English => Values.Length == 0 ? Text : string.Format(CultureInfo.InvariantCulture, Text, Values);

        public string In(IStringLocalizer<Text> text)
        {
            // A sentence translated whole ("subject is required." → "L'oggetto è obbligatorio.") reads best;
            // otherwise the format is translated and then filled.
            if (Values.Length > 0 && text[English] is { ResourceNotFound: false } whole)
            {
                return whole.Value;
            }
            var translated = text[Text].Value;
            if (Values.Length == 0)
            {
                return translated;
            }
            try
            {
                return string.Format(CultureInfo.CurrentCulture, translated, Values);
            }
            catch (FormatException)
            {
                // A translation with a broken placeholder (the translations test guards against it): English, rather than no page.
                return English;
            }
        }
    }
}

/// <summary>Either a value or the reasons it could not be made.</summary>
public sealed record Outcome<T>(T? Value, ValidationErrors Errors) where T : class
{
    public static Outcome<T> Ok(T value) => new(value, new ValidationErrors());
    public static Outcome<T> Invalid(ValidationErrors errors) => new(null, errors);

    /// <summary>Well-formed, but it cannot be done (422): a rate the table does not know for that date, for one.</summary>
    public static Outcome<T> Unprocessable(ValidationErrors errors) => new(null, errors) { CannotBeDone = true };

    public bool CannotBeDone { get; init; }
}
