using Sportello.Features.Accounts;
using Sportello.Features.Services;

namespace Sportello.Tests.Features.Services;

public sealed class RulesTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData(" 192.0.2.1 ", "192.0.2.1")]
    [InlineData("2001:DB8::0:1", "2001:db8::1")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("1", null)]
    [InlineData("0x7f.0.0.1", null)]
    [InlineData("192.0.2", null)]
    [InlineData("192.0.2.1.5", null)]
    [InlineData("192.00.2.1", null)]
    [InlineData("fe80::1%2", null)]
    [InlineData("", null)]
    public void IpAddress_OnlyStrictFormsAreAccepted(string input, string? expected) =>
        Assert.Equal(expected, IpAddresses.Normalize(input));

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData("#123456", "123456")]
    [InlineData(" #000001 ", "000001")]
    [InlineData("12345", null)]
    [InlineData("##123456", null)]
    [InlineData("１２３４５６", null)]
    public void OrderNumber_IsSixAsciiDigits(string input, string? expected) =>
        Assert.Equal(expected, OrderNumbers.Normalize(input));

    [Theory]
    [InlineData("it", "IT")]
    [InlineData("US", "US")]
    [InlineData("UK", null)]
    [InlineData("EU", null)]
    [InlineData("ITA", null)]
    public void Country_IsAnAssignedAlpha2Code(string input, string? expected) =>
        Assert.Equal(expected, Countries.Normalize(input));

    [Fact]
    public void Countries_AreTheFull249()
    {
        Assert.Equal(249, Countries.Codes.Count);
    }
}
