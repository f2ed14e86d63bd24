using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Sportello.Data;

/// <summary>Value comparers for large values that are written once and never changed in place.</summary>
public static class ByReference
{
    public static readonly ValueComparer<byte[]> Bytes = new(
        (a, b) => ReferenceEquals(a, b), v => RuntimeHelpers.GetHashCode(v), v => v);
}
