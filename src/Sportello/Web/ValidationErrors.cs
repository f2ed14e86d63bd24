namespace Sportello.Web;

/// <summary>Field-named validation errors, as problem+json <c>errors</c> (camelCase field names).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public bool Has(string field) => errors.ContainsKey(field);

    public IEnumerable<string> For(string field) => errors.TryGetValue(field, out var list) ? list : [];

    public Dictionary<string, string[]> ToDictionary() =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Puts the errors into a Razor Page's ModelState, mapping API fields to form fields.</summary>
    public void CopyTo(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary modelState, string prefix = "")
    {
        foreach (var (field, messages) in errors)
        {
            var key = prefix + char.ToUpperInvariant(field[0]) + field[1..];
            foreach (var message in messages)
            {
                modelState.AddModelError(key, message);
            }
        }
    }
}

/// <summary>Either a value or the reasons it could not be made.</summary>
public sealed record Outcome<T>(T? Value, ValidationErrors Errors) where T : class
{
    public static Outcome<T> Ok(T value) => new(value, new ValidationErrors());
    public static Outcome<T> Invalid(ValidationErrors errors) => new(null, errors);
}
