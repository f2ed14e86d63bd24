namespace Sportello.Web;

/// <summary>
/// Characters that change how text reads without being seen: the bidirectional overrides and isolates can make
/// "gpj.exe" read as "exe.jpg", or reorder a sentence. One rule for mail subjects, mail bodies and file names.
/// </summary>
public static class InvisibleText
{
    public static bool IsDirectionControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
