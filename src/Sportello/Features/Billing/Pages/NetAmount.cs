using System.Globalization;
using Sportello.Web;

namespace Sportello.Features.Billing.Pages;

/// <summary>
/// A price as people type it, in euro, into whole cents: <c>100</c>, <c>1234.56</c>, <c>1.234,56</c>, <c>€ 99,90</c>. A
/// separator followed by one or two digits is the decimal one; followed by three it groups thousands when it is the
/// reader's group separator (<c>1.234</c> in Italian, <c>1,234</c> in English), and is refused otherwise as ambiguous.
/// </summary>
public static class NetAmount
{
    public static long? Parse(string? text, string language, ValidationErrors errors, string field)
    {
        var example = language == "it" ? "1234,56" : "1234.56";
        var value = (text ?? "").Replace("€", "", StringComparison.Ordinal).Replace("EUR", "", StringComparison.OrdinalIgnoreCase)
            .Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal).Replace("\u202f", "", StringComparison.Ordinal);
        if (value.Length == 0)
        {
            errors.Add(field, "Enter the net price in euro, for example {0}.", example);
            return null;
        }
        if (value.StartsWith('-'))
        {
            errors.Add(field, "The price cannot be negative.");
            return null;
        }
        if (!value.All(c => char.IsAsciiDigit(c) || c is '.' or ',') || !char.IsAsciiDigit(value[0]) || !char.IsAsciiDigit(value[^1]))
        {
            errors.Add(field, "The price must be a number, for example {0}.", example);
            return null;
        }
        var last = value.LastIndexOfAny(['.', ',']);
        var group = language == "it" ? '.' : ',';
        var whole = value;
        var fraction = "";
        if (last >= 0)
        {
            var separator = value[last];
            var digitsAfter = value.Length - last - 1;
            var decimalPoint = digitsAfter is 1 or 2 || (digitsAfter == 3 && separator != group) ? separator : (char?)null;
            if (decimalPoint is { } point)
            {
                if (digitsAfter > 2)
                {
                    errors.Add(field, "The price may have at most two decimals.");
                    return null;
                }
                whole = value[..last];
                fraction = value[(last + 1)..];
                if (whole.Contains(point, StringComparison.Ordinal))
                {
                    errors.Add(field, "The price must be a number, for example {0}.", example);
                    return null;
                }
            }
            // What is left are thousands separators: one kind only, each followed by three digits.
            var separators = whole.Where(c => c is '.' or ',').Distinct().ToList();
            if (separators.Count > 1 || whole.Split('.', ',').Skip(1).Any(g => g.Length != 3))
            {
                errors.Add(field, "The price must be a number, for example {0}.", example);
                return null;
            }
            whole = whole.Replace(".", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        }
        var max = QuoteVat.MaxNetCents / 100;
        if (whole.TrimStart('0').Length > 12 || !long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var euros) || euros > max)
        {
            errors.Add(field, "The price must be at most {0}.", BillingText.Money(QuoteVat.MaxNetCents, language));
            return null;
        }
        var cents = fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(2, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
        var total = euros * 100 + cents;
        if (total > QuoteVat.MaxNetCents)
        {
            errors.Add(field, "The price must be at most {0}.", BillingText.Money(QuoteVat.MaxNetCents, language));
            return null;
        }
        return total;
    }
}
