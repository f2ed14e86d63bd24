using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary>
/// Result of checking a VAT id: Normalized is the id with its VAT prefix (e.g. "EL094259216", "IT00743110157"), upper
/// case, no separators, and null when the id is not valid. Problem is an English message template, translated elsewhere;
/// ProblemCountry is the ISO code for its <c>{0}</c> placeholder (null when the message has none).
/// </summary>
public sealed record VatIdCheck(bool Valid, string? Normalized, string? Problem, string? ProblemCountry);

/// <summary>
/// Offline check of EU VAT identification numbers, to decide reverse charge on invoices: the format of each member
/// state's number and, where the algorithm is published, its check digits. It says nothing of whether the number is
/// registered (that is VIES's job).
/// </summary>
public static class VatIds
{
    private const string Required = "vatId is required.";
    private const string NotOfCountry = "vatId is not a VAT number of {0}.";
    private const string BadFormat = "vatId does not have the format of a VAT number of {0}.";
    private const string BadCheckDigits = "vatId fails its check digits.";

    // Widen turns an old, shorter form into the current one, as the source does.
    private sealed record Rule(string Prefix, string Format, Func<string, bool>? CheckDigits = null, Func<string, string>? Widen = null)
    {
        public Regex Pattern { get; } = new($"^(?:{Format})$", RegexOptions.CultureInvariant);
    }

    // Formats and algorithms from python-stdnum (https://github.com/arthurdejong/python-stdnum), one module per state.
    private static readonly FrozenDictionary<string, Rule> Rules = new Dictionary<string, Rule>
    {
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/at/uid.py
        ["AT"] = new("AT", "U[0-9]{8}", Austria),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/be/vat.py
        ["BE"] = new("BE", "(?!0{10})[01][0-9]{9}", Belgium, n => n.Length == 9 ? "0" + n : n),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/bg/vat.py
        ["BG"] = new("BG", "[0-9]{9,10}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/cy/vat.py
        ["CY"] = new("CY", "(?!12)[0-9]{8}[A-Z]"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/cz/dic.py
        ["CZ"] = new("CZ", "[0-8][0-9]{7}|[0-9]{9,10}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/de/vat.py
        ["DE"] = new("DE", "[1-9][0-9]{8}", Germany),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/dk/cvr.py
        ["DK"] = new("DK", "[1-9][0-9]{7}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/ee/kmkr.py
        ["EE"] = new("EE", "[0-9]{9}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/es/nif.py (with es/dni.py, es/nie.py, es/cif.py)
        ["ES"] = new("ES", "[0-9A-HJ-NP-SU-Z][0-9]{7}[0-9A-Z]", Spain),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/fi/alv.py
        ["FI"] = new("FI", "[0-9]{8}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/fr/tva.py (with fr/siren.py)
        ["FR"] = new("FR", "[0-9A-HJ-NP-Z]{2}[0-9]{9}", France),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/gr/vat.py
        ["GR"] = new("EL", "[0-9]{9}", Widen: n => n.Length == 8 ? "0" + n : n),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/hr/oib.py
        ["HR"] = new("HR", "[0-9]{11}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/hu/anum.py
        ["HU"] = new("HU", "[0-9]{8}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/ie/vat.py
        ["IE"] = new("IE", "[0-9][0-9A-Z+*][0-9]{5}[A-W]{1,2}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/it/iva.py
        ["IT"] = new("IT", "(?!0{7})[0-9]{7}(?:0(?!00)[0-9]{2}|100|12[01]|888|999)[0-9]", Italy),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/lt/pvm.py
        ["LT"] = new("LT", "[0-9]{7}1[0-9]|[0-9]{10}1[0-9]"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/lu/tva.py
        ["LU"] = new("LU", "[0-9]{8}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/lv/pvn.py
        ["LV"] = new("LV", "[0-9]{11}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/mt/vat.py
        ["MT"] = new("MT", "[1-9][0-9]{7}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/nl/btw.py (with nl/bsn.py, iso7064/mod_97_10.py)
        ["NL"] = new("NL", "(?!0{9})[0-9]{9}B(?!00)[0-9]{2}", Netherlands, n => n.Length is > 3 and < 12 ? n[..^3].PadLeft(9, '0') + n[^3..] : n),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/pl/nip.py
        ["PL"] = new("PL", "[0-9]{10}", Poland),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/pt/nif.py
        ["PT"] = new("PT", "[1-9][0-9]{8}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/ro/cui.py (ro/cf.py's CUI form; VIES has no CNP form)
        ["RO"] = new("RO", "[1-9][0-9]{1,9}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/se/vat.py
        ["SE"] = new("SE", "[0-9]{10}01"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/si/ddv.py
        ["SI"] = new("SI", "[1-9][0-9]{7}"),
        // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/sk/dph.py
        ["SK"] = new("SK", "[0-9]{10}"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly IReadOnlyCollection<string> MemberStates = Rules.Keys.Order(StringComparer.Ordinal).ToList().AsReadOnly();

    /// <summary>The VAT prefix of an EU member state given its ISO 3166-1 alpha-2 code: "EL" for GR, otherwise the code itself; null when not an EU state.</summary>
    public static string? Prefix(string country) => Rules.GetValueOrDefault(Iso(country))?.Prefix;

    /// <summary>The 27 EU member states' ISO codes for which Check applies.</summary>
    public static IReadOnlyCollection<string> Countries => MemberStates;

    /// <summary>Whether the check includes check digits for this country (DE, FR, IT, ES, NL, BE, AT, PL) rather than the format only.</summary>
    public static bool HasCheckDigits(string country) => Rules.GetValueOrDefault(Iso(country))?.CheckDigits is not null;

    /// <summary>
    /// Checks vatId for the EU state `country` (ISO alpha-2, case-insensitive). Accepts the id with or without its VAT prefix,
    /// with spaces, dots, dashes and slashes; a prefix that is not this country's is invalid. Null/empty → invalid.
    /// </summary>
    public static VatIdCheck Check(string country, string? vatId)
    {
        var id = Compact(vatId);
        if (id.Length == 0)
            return Invalid(Required, null);
        var iso = Iso(country);
        if (!Rules.TryGetValue(iso, out var rule))
            return Invalid(NotOfCountry, iso);

        // Greeks also write GR, the ISO code, for EL.
        var hasOwnPrefix = id.StartsWith(rule.Prefix, StringComparison.Ordinal) || id.StartsWith(iso, StringComparison.Ordinal);
        var number = hasOwnPrefix ? id[2..] : id;
        number = rule.Widen?.Invoke(number) ?? number;
        if (!rule.Pattern.IsMatch(number))
            return Invalid(!hasOwnPrefix && HasOtherStatesPrefix(id) ? NotOfCountry : BadFormat, iso);
        if (rule.CheckDigits is { } checkDigits && !checkDigits(number))
            return Invalid(BadCheckDigits, null);
        return new VatIdCheck(true, rule.Prefix + number, null, null);
    }

    /// <summary>
    /// The one rule for a customer's VAT id, wherever it is given (the admin creating a customer, the account's billing
    /// details): none is fine; in an EU state it must pass <see cref="Check"/>; elsewhere, or with no country yet, 4 to 20
    /// letters and digits (there is nothing more to check offline). The id as stored, or null with the error on
    /// <c>vatId</c>.
    /// </summary>
    public static string? ForCustomer(string? country, string? vatId, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(vatId))
        {
            return null;
        }
        if (country is not null && VatCountries.IsEu(country))
        {
            var check = Check(country, vatId);
            if (!check.Valid)
            {
                errors.Add("vatId", check.Problem ?? "vatId is not valid.", check.ProblemCountry ?? country);
            }
            return check.Normalized;
        }
        var compact = Compact(vatId);
        if (compact.Length is >= 4 and <= 20 && compact.All(char.IsAsciiLetterOrDigit))
        {
            return compact;
        }
        errors.Add("vatId", "vatId must be 4 to 20 letters and digits, such as IT12345678901.");
        return null;
    }

    private static VatIdCheck Invalid(string problem, string? country) => new(false, null, problem, country);

    private static string Iso(string country) => (country ?? "").Trim().ToUpperInvariant();

    private static string Compact(string? vatId)
    {
        var compact = new StringBuilder(vatId?.Length ?? 0);
        foreach (var c in vatId ?? "")
        {
            if (!char.IsWhiteSpace(c) && c is not ('.' or '-' or '/'))
                compact.Append(char.ToUpperInvariant(c));
        }
        return compact.ToString();
    }

    private static bool HasOtherStatesPrefix(string id) =>
        id.Length >= 2 && (Rules.ContainsKey(id[..2]) || Rules.Values.Any(r => r.Prefix == id[..2]));

    private static int Digit(char c) => c - '0';

    private static long Number(string digits) => digits.Aggregate(0L, (value, c) => value * 10 + Digit(c));

    // Luhn checksum of a digit string (stdnum/luhn.py): 0 when the last digit checks the others.
    private static int Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = Digit(digits[^(i + 1)]) * (i % 2 + 1);
            sum += d / 10 + d % 10;
        }
        return sum % 10;
    }

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/at/uid.py: check digit = (6 - Luhn checksum of the 7 digits after U) mod 10.
    private static bool Austria(string n) => Digit(n[8]) == (16 - Luhn(n[1..8])) % 10;

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/be/vat.py: the first 8 digits and the last 2 sum to a multiple of 97.
    private static bool Belgium(string n) => (Number(n[..8]) + Number(n[8..])) % 97 == 0;

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/de/vat.py: ISO 7064 Mod 11,10 (as in stdnum/iso7064/mod_11_10.py).
    private static bool Germany(string n)
    {
        var check = 5;
        foreach (var c in n)
            check = ((check == 0 ? 10 : check) * 2 % 11 + Digit(c)) % 10;
        return check == 1;
    }

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/es/nif.py: DNI letter for people (K, L, M, and X, Y, Z as 0, 1, 2), CIF digit or letter for entities.
    private static bool Spain(string n) => n[0] switch
    {
        >= '0' and <= '9' => n[8] == DniLetter(n[..8]),
        'K' or 'L' or 'M' => n[8] == DniLetter(n[1..8]),
        'X' or 'Y' or 'Z' => n[8] == DniLetter((char)(n[0] - 'X' + '0') + n[1..8]),
        _ => Cif(n),
    };

    private static char DniLetter(string digits) => "TRWAGMYFPDXBNJZSQVHLCKE"[(int)(Number(digits) % 23)];

    // Sources disagree on which entities get a digit and which a letter, so either is accepted, as the source does.
    private static bool Cif(string n)
    {
        var check = (10 - Luhn(n[1..8] + "0")) % 10;
        return n[8] == (char)('0' + check) || n[8] == "JABCDEFGHI"[check];
    }

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/fr/tva.py: a SIREN (Luhn, except Monaco's 000) with a two-character key.
    private static bool France(string n)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        if (n[2..5] != "000" && Luhn(n[2..]) != 0)
            return false;
        var siren = Number(n[2..]);
        if (char.IsAsciiDigit(n[0]) && char.IsAsciiDigit(n[1]))
            return Number(n[..2]) == (siren * 100 + 12) % 97;
        var check = char.IsAsciiDigit(n[0])
            ? alphabet.IndexOf(n[0], StringComparison.Ordinal) * 24 + alphabet.IndexOf(n[1], StringComparison.Ordinal) - 10
            : alphabet.IndexOf(n[0], StringComparison.Ordinal) * 34 + alphabet.IndexOf(n[1], StringComparison.Ordinal) - 100;
        return (siren + 1 + check / 11) % 11 == check % 11;
    }

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/it/iva.py: Luhn over all 11 digits.
    private static bool Italy(string n) => Luhn(n) == 0;

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/nl/btw.py: a BSN/RSIN (11-proof) or, since 2020, ISO 7064 Mod 97,10 over "NL" + the number.
    private static bool Netherlands(string n)
    {
        var elevenProof = Enumerable.Range(0, 8).Sum(i => (9 - i) * Digit(n[i])) - Digit(n[8]);
        var mod97 = 0;
        foreach (var c in "NL" + n)
        {
            var value = char.IsAsciiDigit(c) ? Digit(c) : c - 'A' + 10;
            mod97 = (mod97 * (value < 10 ? 10 : 100) + value) % 97;
        }
        return elevenProof % 11 == 0 || mod97 == 1;
    }

    // https://github.com/arthurdejong/python-stdnum/blob/master/stdnum/pl/nip.py: weights 6 5 7 2 3 4 5 6 7 -1, modulo 11.
    private static bool Poland(string n) => PolishWeights.Select((weight, i) => weight * Digit(n[i])).Sum() % 11 == 0;

    private static readonly int[] PolishWeights = [6, 5, 7, 2, 3, 4, 5, 6, 7, -1];
}
