namespace Sportello.Features.Billing;

/// <summary>
/// The countries VAT knows: every officially assigned ISO 3166-1 alpha-2 code, the 27 EU member states by name, and the
/// two rule keys beyond them: <see cref="Us"/> and <see cref="Other"/> (every other assigned code).
/// </summary>
public static class Countries
{
    public const string Us = "US";
    public const string Other = "OTHER";

    /// <summary>The EU member states, with their names in English and Italian.</summary>
    public static readonly IReadOnlyDictionary<string, (string En, string It)> Eu = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["AT"] = ("Austria", "Austria"), ["BE"] = ("Belgium", "Belgio"), ["BG"] = ("Bulgaria", "Bulgaria"), ["HR"] = ("Croatia", "Croazia"),
        ["CY"] = ("Cyprus", "Cipro"), ["CZ"] = ("Czech Republic", "Repubblica Ceca"), ["DK"] = ("Denmark", "Danimarca"),
        ["EE"] = ("Estonia", "Estonia"), ["FI"] = ("Finland", "Finlandia"), ["FR"] = ("France", "Francia"), ["DE"] = ("Germany", "Germania"),
        ["GR"] = ("Greece", "Grecia"), ["HU"] = ("Hungary", "Ungheria"), ["IE"] = ("Ireland", "Irlanda"), ["IT"] = ("Italy", "Italia"),
        ["LV"] = ("Latvia", "Lettonia"), ["LT"] = ("Lithuania", "Lituania"), ["LU"] = ("Luxembourg", "Lussemburgo"), ["MT"] = ("Malta", "Malta"),
        ["NL"] = ("Netherlands", "Paesi Bassi"), ["PL"] = ("Poland", "Polonia"), ["PT"] = ("Portugal", "Portogallo"), ["RO"] = ("Romania", "Romania"),
        ["SK"] = ("Slovakia", "Slovacchia"), ["SI"] = ("Slovenia", "Slovenia"), ["ES"] = ("Spain", "Spagna"), ["SE"] = ("Sweden", "Svezia"),
    };

    // ISO 3166-1 alpha-2, officially assigned codes (ISO 3166 Maintenance Agency), 249 of them.
    private static readonly HashSet<string> Assigned = new(StringComparer.Ordinal)
    {
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH",
        "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL",
        "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET",
        "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU",
        "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE",
        "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC",
        "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC",
        "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT",
        "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR",
        "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA",
        "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    };

    public static int AssignedCount => Assigned.Count;

    /// <summary>Every assigned code with its English name (from the platform's region data; the code itself when it has none), by name.</summary>
    public static IReadOnlyList<(string Code, string Name)> Choices { get; } = [.. Assigned.Select(code => (code, EnglishName(code))).OrderBy(c => c.Item2, StringComparer.Ordinal)];

    private static string EnglishName(string code)
    {
        try
        {
            return new System.Globalization.RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    public static bool IsEu(string code) => Eu.ContainsKey(code);

    /// <summary>The code in upper case when it is an assigned ISO code; null otherwise (unassigned, malformed, empty).</summary>
    public static string? Normalize(string? code)
    {
        var upper = code?.Trim().ToUpperInvariant();
        return upper is { Length: 2 } && Assigned.Contains(upper) ? upper : null;
    }

    /// <summary>The key of the VAT rule for an assigned code: the EU state itself, <see cref="Us"/>, or <see cref="Other"/>.</summary>
    public static string RuleKey(string code) => IsEu(code) || code == Us ? code : Other;

    public static string Name(string ruleKey, string language) => ruleKey switch
    {
        Us => language == "it" ? "Stati Uniti" : "USA",
        Other => language == "it" ? "Altri paesi" : "Other",
        _ => Eu.TryGetValue(ruleKey, out var name) ? (language == "it" ? name.It : name.En) : ruleKey,
    };
}
