using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Sportello.Data;

/// <summary>
/// An EF Core compiled query (<c>EF.CompileAsyncQuery</c>) for a path every request takes: the query's LINQ tree is
/// built, reduced and looked up in the query cache once, not on each call. A profile of ticket creation on PostgreSQL
/// found that work, for the API token check and the new ticket's response targets alone, to be a fifth of the node's
/// CPU (bench/README.md). A compiled query stays bound to the model it first ran with, and one process can hold
/// several models (a SQLite and a PostgreSQL context during a move; test hosts), so it is compiled once per model.
/// </summary>
public sealed class CompiledQuery<TQuery> where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> compiled = [];
    private readonly ConditionalWeakTable<IModel, TQuery>.CreateValueCallback compile;

    public CompiledQuery(Func<TQuery> compile) => this.compile = _ => compile();

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db) => compiled.GetValue(db.Model, compile);
}
