using System.Net.Sockets;
using Npgsql;

namespace Flame.Po.Persistence;

/// <summary>Short, secret-free descriptions of database failures for readiness reasons and logs.</summary>
public static class DatabaseErrors
{
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException pg => $"PostgreSQL error {pg.SqlState}: {pg.MessageText}",
        NpgsqlException { InnerException: SocketException socket } => $"cannot connect to PostgreSQL: {socket.SocketErrorCode}",
        NpgsqlException { InnerException: TimeoutException } or TimeoutException => "PostgreSQL did not answer in time",
        NpgsqlException npgsql => $"PostgreSQL unavailable: {npgsql.Message}",
        _ => exception.Message,
    };
}
