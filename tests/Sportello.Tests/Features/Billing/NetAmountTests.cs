using Sportello.Features.Billing.Pages;
using Sportello.Web;

namespace Sportello.Tests.Features.Billing;

/// <summary>The price helper reads a price as people type it, in either language, into whole cents.</summary>
public sealed class NetAmountTests
{
    [Theory]
    [InlineData("100", "en", 10000)]
    [InlineData("100", "it", 10000)]
    [InlineData("100.00", "it", 10000)]
    [InlineData("100,5", "it", 10050)]
    [InlineData("0.01", "en", 1)]
    [InlineData("0", "en", 0)]
    [InlineData("1,234.56", "en", 123456)]
    [InlineData("1.234,56", "it", 123456)]
    [InlineData("1.234,56", "en", 123456)]
    [InlineData("1.234", "it", 123400)]
    [InlineData("1,234", "en", 123400)]
    [InlineData("1.234.567", "it", 123456700)]
    [InlineData("€ 99,90", "it", 9990)]
    [InlineData("99.90 EUR", "en", 9990)]
    [InlineData(" 1 234,56 ", "it", 123456)]
    [InlineData("10000000000", "en", 1_000_000_000_000)]
    public void Parse_ReadsThePrice(string text, string language, long cents)
    {
        var errors = new ValidationErrors();
        Assert.Equal(cents, NetAmount.Parse(text, language, errors, "amount"));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData(null, "en", "Enter the net price in euro, for example 1234.56.")]
    [InlineData("  ", "it", "Enter the net price in euro, for example 1234,56.")]
    [InlineData("abc", "en", "The price must be a number, for example 1234.56.")]
    [InlineData("1e5", "en", "The price must be a number, for example 1234.56.")]
    [InlineData("12.", "en", "The price must be a number, for example 1234.56.")]
    [InlineData(".5", "en", "The price must be a number, for example 1234.56.")]
    [InlineData("1.2.3", "en", "The price must be a number, for example 1234.56.")]
    [InlineData("1,23,456.00", "en", "The price must be a number, for example 1234.56.")]
    [InlineData("1.234,567", "it", "The price may have at most two decimals.")]
    [InlineData("1,234", "it", "The price may have at most two decimals.")]
    [InlineData("1.234", "en", "The price may have at most two decimals.")]
    [InlineData("-5", "en", "The price cannot be negative.")]
    [InlineData("10000000000.01", "en", "The price must be at most €10,000,000,000.00.")]
    [InlineData("99999999999999999999999", "it", "The price must be at most € 10.000.000.000,00.")]
    public void Parse_RefusesWhatIsNotAPrice_NamingTheField(string? text, string language, string message)
    {
        var errors = new ValidationErrors();
        Assert.Null(NetAmount.Parse(text, language, errors, "amount"));
        Assert.Equal([message], errors.For("amount"));
    }
}
