using Sportello.Features.Billing;

namespace Sportello.Tests.Features.Billing;

// Examples come from python-stdnum's doctests (https://github.com/arthurdejong/python-stdnum): the module named on each
// line, or tests/test_eu_vat.doctest ("eu test"). "Derived" marks a malformed example made from a source's valid one.
public sealed class VatIdTests
{
    private const string Required = "vatId is required.";
    private const string NotOfCountry = "vatId is not a VAT number of {0}.";
    private const string BadFormat = "vatId does not have the format of a VAT number of {0}.";
    private const string BadCheckDigits = "vatId fails its check digits.";

    [Theory]
    [InlineData("DE", "DE136695976", "DE136695976")]              // de/vat.py
    [InlineData("DE", "DE 811 363 057", "DE811363057")]           // eu test
    [InlineData("DE", "DE - 113866163", "DE113866163")]           // eu test
    [InlineData("FR", "FR 61 954 506 077", "FR61954506077")]      // eu/vat.py
    [InlineData("FR", "23334175221", "FR23334175221")]            // fr/tva.py
    [InlineData("FR", "K7399859412", "FRK7399859412")]            // fr/tva.py, new style
    [InlineData("FR", "4Z123456782", "FR4Z123456782")]            // fr/tva.py, new style starting with a digit
    [InlineData("FR", "FR32000000330", "FR32000000330")]          // eu test, Monaco (not a SIREN)
    [InlineData("IT", "IT 00743110157", "IT00743110157")]         // it/iva.py
    [InlineData("IT", "IT 00 595 000 217", "IT00595000217")]      // eu test
    [InlineData("IT", "IT-09159800011", "IT09159800011")]         // eu test
    [InlineData("ES", "ES B-58378431", "ESB58378431")]            // es/nif.py, CIF
    [InlineData("ES", "B64717838", "ESB64717838")]                // es/nif.py, CIF
    [InlineData("ES", "ES - Q0818001J", "ESQ0818001J")]           // eu test, CIF with a letter check
    [InlineData("ES", "54362315K", "ES54362315K")]                // es/nif.py, DNI
    [InlineData("ES", "X-5253868-R", "ESX5253868R")]              // es/nif.py, NIE
    [InlineData("ES", "ES-x-2482300w", "ESX2482300W")]            // eu test, NIE
    [InlineData("ES", "ES Z5277343K", "ESZ5277343K")]             // eu test, NIE
    [InlineData("ES", "M-1234567-L", "ESM1234567L")]              // es/nif.py, foreigner without NIE
    [InlineData("ES", "11111111H", "ES11111111H")]                // test_es_nif.doctest, DNI
    [InlineData("ES", "A11111119", "ESA11111119")]                // test_es_nif.doctest, CIF
    [InlineData("ES", "X1111111G", "ESX1111111G")]                // test_es_nif.doctest, NIE
    [InlineData("ES", "L1111111G", "ESL1111111G")]                // test_es_nif.doctest, NIF only
    [InlineData("NL", "004495445B01", "NL004495445B01")]          // nl/btw.py
    [InlineData("NL", "NL4495445B01", "NL004495445B01")]          // nl/btw.py, leading zeros left out
    [InlineData("NL", "NL002455799B11", "NL002455799B11")]        // nl/btw.py, mod 97 form (since 2020)
    [InlineData("NL", "NL 8225.69.759 b01", "NL822569759B01")]    // eu test
    [InlineData("BE", "BE 428759497", "BE0428759497")]            // be/vat.py, old 9-digit form
    [InlineData("BE", "BE697449992", "BE0697449992")]             // eu/vat.py
    [InlineData("BE", "BE 0202.239.951", "BE0202239951")]         // eu test
    [InlineData("BE", "BE 0795 013 186", "BE0795013186")]         // eu test
    [InlineData("AT", "AT U13585627", "ATU13585627")]             // at/uid.py
    [InlineData("AT", "ATU 142 43 102", "ATU14243102")]           // eu test
    [InlineData("AT", "ATU 57194903", "ATU57194903")]             // eu/vat.py
    [InlineData("PL", "PL 8567346215", "PL8567346215")]           // pl/nip.py
    [InlineData("PL", "PL 584-030-44-72", "PL5840304472")]        // eu test
    [InlineData("PL", "PL-951-157-77-68", "PL9511577768")]        // eu test
    public void Check_ValidWithCheckDigits_IsValidAndNormalized(string country, string vatId, string normalized)
    {
        Assert.True(VatIds.HasCheckDigits(country));
        Assert.Equal(new VatIdCheck(true, normalized, null, null), VatIds.Check(country, vatId));
    }

    [Theory]
    [InlineData("DE", "136695978")]           // de/vat.py
    [InlineData("DE", "DE 125014855")]        // eu test
    [InlineData("FR", "84 323 140 391")]      // fr/tva.py
    [InlineData("FR", "FR K 7399859312")]     // eu test
    [InlineData("FR", "FR L 7399859412")]     // eu test
    [InlineData("IT", "00743110158")]         // it/iva.py
    [InlineData("ES", "B64717839")]           // es/nif.py
    [InlineData("ES", "54362315Z")]           // es/dni.py
    [InlineData("ES", "x-2482300a")]          // es/nie.py
    [InlineData("ES", "ES K-2814015-F")]      // eu test
    [InlineData("ES", "J99216583")]           // es/cif.py
    [InlineData("ES", "11111111T")]           // test_es_nif.doctest
    [InlineData("ES", "A11111118")]           // test_es_nif.doctest
    [InlineData("ES", "X1111111A")]           // test_es_nif.doctest
    [InlineData("ES", "L1111111C")]           // test_es_nif.doctest
    [InlineData("NL", "123456789B90")]        // nl/btw.py
    [InlineData("BE", "BE431150351")]         // be/vat.py
    [InlineData("BE", "BE 456.973.432")]      // eu test
    [InlineData("AT", "U13585626")]           // at/uid.py
    [InlineData("AT", "ATU46080904")]         // eu test
    [InlineData("PL", "PL 8567346216")]       // pl/nip.py
    public void Check_WrongCheckDigit_FailsItsCheckDigits(string country, string vatId) =>
        Assert.Equal(new VatIdCheck(false, null, BadCheckDigits, null), VatIds.Check(country, vatId));

    [Theory]
    [InlineData("BG", "BG 175 074 752", "BG175074752")]           // bg/vat.py
    [InlineData("BG", "BG7523169263", "BG7523169263")]            // eu test, 10 digits
    [InlineData("CY", "CY-10259033P", "CY10259033P")]             // cy/vat.py
    [InlineData("CZ", "CZ 25123891", "CZ25123891")]               // cz/dic.py
    [InlineData("DK", "DK 13585628", "DK13585628")]               // dk/cvr.py
    [InlineData("EE", "EE 100 931 558", "EE100931558")]           // ee/kmkr.py
    [InlineData("GR", "EL 094259216 ", "EL094259216")]            // gr/vat.py
    [InlineData("FI", "FI 20774740", "FI20774740")]               // fi/alv.py
    [InlineData("HR", "HR 33392005961", "HR33392005961")]         // hr/oib.py
    [InlineData("HU", "HU-12892312", "HU12892312")]               // hu/anum.py
    [InlineData("IE", "IE 6433435OA", "IE6433435OA")]             // ie/vat.py, 2013 format
    [InlineData("IE", "8D79739I", "IE8D79739I")]                  // ie/vat.py, old style
    [InlineData("LT", "LT 100001919017", "LT100001919017")]       // lt/pvm.py, 12 digits
    [InlineData("LT", "119511515", "LT119511515")]                // lt/pvm.py, 9 digits
    [InlineData("LU", "LU 150 274 42", "LU15027442")]             // lu/tva.py
    [InlineData("LV", "LV 4000 3521 600", "LV40003521600")]       // lv/pvn.py
    [InlineData("MT", "MT 1167-9112", "MT11679112")]              // mt/vat.py
    [InlineData("PT", "PT 501 964 843", "PT501964843")]           // pt/nif.py
    [InlineData("RO", "RO 185 472 90", "RO18547290")]             // ro/cf.py
    [InlineData("RO", "RO 573768", "RO573768")]                   // eu test
    [InlineData("SE", "SE 123456789701", "SE123456789701")]       // se/vat.py
    [InlineData("SI", "SI 5022 3054", "SI50223054")]              // si/ddv.py
    [InlineData("SK", "SK 202 274 96 19", "SK2022749619")]        // sk/dph.py
    public void Check_FormatOnlyCountry_ValidFormat_IsValidAndNormalized(string country, string vatId, string normalized)
    {
        Assert.False(VatIds.HasCheckDigits(country));
        Assert.Equal(new VatIdCheck(true, normalized, null, null), VatIds.Check(country, vatId));
    }

    [Theory]
    [InlineData("AT", "AT1 142 43 102")]      // eu test
    [InlineData("BE", "BE 02A2.239.951")]     // eu test
    [InlineData("BE", "BE0000000000")]        // test_be_vat.doctest
    [InlineData("BE", "BE2000021323")]        // test_be_vat.doctest (starts with 0 or 1)
    [InlineData("BE", "000000")]              // test_be_vat.doctest
    [InlineData("DE", "DE 011125440")]        // eu test
    [InlineData("DE", "DE 246X595 415")]      // eu test
    [InlineData("ES", "O-1234567-L")]         // es/cif.py
    [InlineData("FR", "IO334175221")]         // fr/tva.py (no I or O)
    [InlineData("IT", "IT 00687129980")]      // eu test, unknown province 912
    [InlineData("NL", "NL 009122746B00")]     // eu test
    [InlineData("NL", "NL 001241643801")]     // eu test
    [InlineData("PL", "PL 856734621")]        // derived from pl/nip.py
    [InlineData("BG", "BG 10X8735941")]       // eu test
    [InlineData("CY", "CY-102590Z3P")]        // eu test
    [InlineData("CY", "CY-12259033P")]        // eu test
    [InlineData("CZ", "CZ 95123891")]         // eu test
    [InlineData("DK", "DK 03585628")]         // derived from dk/cvr.py (no leading 0)
    [InlineData("EE", "EE 100 931 55")]       // derived from ee/kmkr.py
    [InlineData("GR", "EL 0942592160")]       // derived from gr/vat.py
    [InlineData("FI", "FI 2077474")]          // derived from fi/alv.py
    [InlineData("HR", "HR 3339200596")]       // derived from hr/oib.py
    [InlineData("HU", "HU-1289231")]          // derived from hu/anum.py
    [InlineData("IE", "IE 4550C59S")]         // eu test
    [InlineData("LT", "LT 100001354")]        // eu test
    [InlineData("LU", "LU 150 274 4")]        // derived from lu/tva.py
    [InlineData("LV", "LV 4000 3521 60")]     // derived from lv/pvn.py
    [InlineData("MT", "MT 0167-9112")]        // derived from mt/vat.py (no leading 0)
    [InlineData("PT", "PT 001 964 843")]      // derived from pt/nif.py (no leading 0)
    [InlineData("RO", "RO 018547290")]        // derived from ro/cf.py (no leading 0)
    [InlineData("SE", "SE 55643359201")]      // eu test
    [InlineData("SI", "SI 0022 3054")]        // derived from si/ddv.py (no leading 0)
    [InlineData("SK", "SK A078449064")]       // eu test
    public void Check_Malformed_SaysWhichCountrysFormatItMisses(string country, string vatId) =>
        Assert.Equal(new VatIdCheck(false, null, BadFormat, country), VatIds.Check(country, vatId));

    [Theory]
    [InlineData("de", "de 136.695.976", "DE136695976")]
    [InlineData("DE", "136 695 976", "DE136695976")]
    [InlineData(" it ", "it00743110157", "IT00743110157")]
    [InlineData("CZ", "CZ 640229/4448", "CZ6402294448")]          // eu test
    [InlineData("NL", "NL.0094.10.806.B.01", "NL009410806B01")]   // eu test
    [InlineData("BE", "be\u00a00428\t759 497", "BE0428759497")]
    [InlineData("GR", "094259216", "EL094259216")]
    [InlineData("gr", "el094259216", "EL094259216")]
    [InlineData("GR", "GR 094259216", "EL094259216")]              // gr/vat.py takes GR too
    [InlineData("GR", "EL 94051189", "EL094051189")]              // eu test, old 8-digit form
    public void Check_Separators_CaseAndPrefix_AreNormalized(string country, string vatId, string normalized) =>
        Assert.Equal(normalized, VatIds.Check(country, vatId).Normalized);

    [Theory]
    [InlineData("DE", "FR61954506077")]
    [InlineData("IT", "DE 136 695 976")]
    [InlineData("AT", "EL094259216")]
    [InlineData("NL", "BE0428759497")]
    public void Check_OtherStatesPrefix_IsNotAVatNumberOfTheCountry(string country, string vatId) =>
        Assert.Equal(new VatIdCheck(false, null, NotOfCountry, country), VatIds.Check(country, vatId));

    [Fact]
    public void Check_DuplicatedPrefix_IsMalformed() =>
        Assert.Equal(new VatIdCheck(false, null, BadFormat, "DE"), VatIds.Check("DE", "DE DE 246595415"));

    [Theory]
    [InlineData("CH", "CHE-107.787.577 IVA")]  // ch/vat.py
    [InlineData("gb", "GB 980 7806 84")]       // gb/vat.py
    [InlineData("EL", "094259216")]
    [InlineData("", "DE136695976")]
    public void Check_NotAnEuState_IsNotAVatNumberOfThatCountry(string country, string vatId) =>
        Assert.Equal(new VatIdCheck(false, null, NotOfCountry, country.ToUpperInvariant()), VatIds.Check(country, vatId));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" - . / ")]
    public void Check_Missing_IsRequired(string? vatId)
    {
        Assert.Equal(new VatIdCheck(false, null, Required, null), VatIds.Check("IT", vatId));
        Assert.Equal(new VatIdCheck(false, null, Required, null), VatIds.Check("US", vatId));
    }

    [Theory]
    [InlineData("IT", "IT")]
    [InlineData("de", "DE")]
    [InlineData("GR", "EL")]
    [InlineData("gr", "EL")]
    [InlineData("EL", null)]
    [InlineData("CH", null)]
    [InlineData("GB", null)]
    [InlineData("", null)]
    public void Prefix_IsTheVatPrefixOfAnEuState(string country, string? prefix) => Assert.Equal(prefix, VatIds.Prefix(country));

    [Fact]
    public void Countries_AreTheTwentySevenMemberStates()
    {
        string[] members = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"];
        Assert.Equal(members, VatIds.Countries);
    }

    [Fact]
    public void HasCheckDigits_CoversTheEightRuledStatesOnly()
    {
        string[] ruled = ["AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL"];
        Assert.Equal(ruled, VatIds.Countries.Where(VatIds.HasCheckDigits));
    }
}
