using System.Security.Cryptography;

namespace Sportello.Features.Tickets;

/// <summary>Public ticket references like KQF-482913: random, so they reveal no volume and cannot be guessed in sequence.</summary>
public static class TicketNumbers
{
    public static string New()
    {
        Span<char> number = stackalloc char[10];
        for (var i = 0; i < 3; i++)
        {
            number[i] = (char)('A' + RandomNumberGenerator.GetInt32(26));
        }
        number[3] = '-';
        for (var i = 4; i < 10; i++)
        {
            number[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        }
        return new string(number);
    }

    public static bool IsValid(string? value) =>
        value is { Length: 10 } && value[..3].All(char.IsAsciiLetterUpper) && value[3] == '-' && value[4..].All(char.IsAsciiDigit);
}
