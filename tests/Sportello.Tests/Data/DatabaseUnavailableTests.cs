using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sportello.Data;

namespace Sportello.Tests.Data;

/// <summary>Which database failures answer 503 (try again) rather than 500, and the connect timeout a node starts with.</summary>
public sealed class DatabaseUnavailableTests
{
    [Fact]
    public void IsCause_RefusedConnection_ServerShuttingDownOrOutOfConnections_EvenWrappedByEf()
    {
        Assert.True(DatabaseUnavailable.IsCause(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(DatabaseUnavailable.IsCause(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")));
        Assert.True(DatabaseUnavailable.IsCause(new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03")));
        // A save whose connection broke under it, so that its next statement met a completed transaction.
        Assert.True(DatabaseUnavailable.IsCause(new ConnectionLostException(new InvalidOperationException("Transaction is already completed"))));
        Assert.True(DatabaseUnavailable.IsCause(new PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300")));
        Assert.True(DatabaseUnavailable.IsCause(new DbUpdateException("An error occurred while saving",
            new NpgsqlException("Exception while reading from stream", new IOException("reset")))));
    }

    [Fact]
    public void IsCause_NotForMistakesThatRetryingDoesNotMend()
    {
        Assert.False(DatabaseUnavailable.IsCause(new PostgresException("duplicate key value", "ERROR", "ERROR", "23505")));
        Assert.False(DatabaseUnavailable.IsCause(new PostgresException("syntax error", "ERROR", "ERROR", "42601")));
        Assert.False(DatabaseUnavailable.IsCause(new InvalidOperationException("Sequence contains no elements")));
        // Only the save knows whether its connection broke: a completed transaction on its own is a mistake of ours.
        Assert.False(DatabaseUnavailable.IsCause(new InvalidOperationException("Transaction is already completed")));
    }

    [Fact]
    public void ConnectingGivesUpAfter5Seconds_UnlessTheOperatorChoseATimeout()
    {
        Assert.Equal(5, new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Database=s")).Timeout);
        Assert.Equal(30, new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Database=s;Timeout=30")).Timeout);
        var withCommandTimeout = new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Command Timeout=60"));
        Assert.Equal((5, 60), (withCommandTimeout.Timeout, withCommandTimeout.CommandTimeout));
    }

    [Fact]
    public void StatementsArePreparedAfterTwoUses_UnlessTheOperatorSaysOtherwise()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Database=s"));
        Assert.Equal((64, 2), (tuned.MaxAutoPrepare, tuned.AutoPrepareMinUsages));
        // Behind a pooler that cannot keep prepared statements the operator turns it off, and that is kept.
        var off = new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Max Auto Prepare=0"));
        Assert.Equal(0, off.MaxAutoPrepare);
        var own = new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;maxautoprepare=10;Auto Prepare Min Usages=5"));
        Assert.Equal((10, 5), (own.MaxAutoPrepare, own.AutoPrepareMinUsages));
    }

    [Fact]
    public void PooledConnectionsAreNotReset_UnlessTheOperatorAsksForIt()
    {
        Assert.True(new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;Database=s")).NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;No Reset On Close=false")).NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(DatabaseFeature.ConnectionDefaults("Host=db;noresetonclose=false")).NoResetOnClose);
    }
}
