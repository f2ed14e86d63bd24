namespace Sportello.Features.Billing;

/// <summary>
/// The countries as VAT sees them: the 27 EU member states by name, and the two rule keys beyond them: <see cref="Us"/>
/// and <see cref="Other"/> (every other assigned ISO code; which codes are assigned is <see cref="Accounts.Countries"/>'s).
/// </summary>
public static class VatCountries
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

    public static bool IsEu(string code) => Eu.ContainsKey(code);

    /// <summary>The key of the VAT rule for an assigned code: the EU state itself, <see cref="Us"/>, or <see cref="Other"/>.</summary>
    public static string RuleKey(string code) => IsEu(code) || code == Us ? code : Other;

    public static string Name(string ruleKey, string language) => ruleKey switch
    {
        Us => language == "it" ? "Stati Uniti" : "USA",
        Other => language == "it" ? "Altri paesi" : "Other",
        _ => Eu.TryGetValue(ruleKey, out var name) ? (language == "it" ? name.It : name.En) : ruleKey,
    };
}
