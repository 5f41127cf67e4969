package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/inkan-dev/inkan/internal/store"
)

// classifyPostgres maps pgx's errors to store errors. The errors it makes
// unavailable carry a wording of their own: pgx's messages may name the
// server's address, the user and the database, which a store error must not.
// Errors it does not recognise pass unchanged.
func classifyPostgres(err error) error {
	var (
		ce *pgconn.ConnectError
		pe *pgconn.PgError
	)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return err // classified already
	case errors.Is(err, context.Canceled):
		return err // the caller's own decision
	case errors.As(err, &ce):
		return connectFailure(ce)
	case errors.As(err, &pe):
		return classifyPgError(err, pe)
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w: the database did not answer in time: %w", store.ErrUnavailable, context.DeadlineExceeded)
	case lostConnection(err):
		return fmt.Errorf("%w: lost the connection to the database server", store.ErrUnavailable)
	}
	return err
}

// classifyPgError maps an error the server reported, by SQLSTATE
// (https://www.postgresql.org/docs/current/errcodes-appendix.html). The
// server's message names constraints and tables, never values.
func classifyPgError(err error, pe *pgconn.PgError) error {
	switch code := pe.Code; {
	case code == "23505": // unique_violation
		return fmt.Errorf("%w (%v)", store.ErrExists, err)
	case code == "23503": // foreign_key_violation
		return fmt.Errorf("%w (%v)", store.ErrConflict, err)
	case code == "40001", code == "40P01": // serialization_failure, deadlock_detected
		return fmt.Errorf("%w: a concurrent write got there first, retry (SQLSTATE %s)", store.ErrConflict, code)
	case strings.HasPrefix(code, "08"), // connection exceptions
		strings.HasPrefix(code, "53"),                     // insufficient resources (too many connections)
		code == "57P01", code == "57P02", code == "57P03", // admin, crash shutdown; cannot connect now
		code == "57014", code == "55P03": // statement_timeout, lock_not_available
		return fmt.Errorf("%w: the database server refused or cut the request (SQLSTATE %s)", store.ErrUnavailable, code)
	}
	return err
}

// connectFailure words a failure to connect without the address, user or
// database pgx names. Refused credentials and a missing database are not
// transient: they are the configuration's fault, not ErrUnavailable.
func connectFailure(ce *pgconn.ConnectError) error {
	var pe *pgconn.PgError
	if errors.As(ce, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "28"):
			return fmt.Errorf("cannot connect to the database server: authentication failed (SQLSTATE %s): check the user and the password", pe.Code)
		case pe.Code == "3D000":
			return fmt.Errorf("cannot connect to the database server: the database does not exist (SQLSTATE %s)", pe.Code)
		}
		return fmt.Errorf("%w: cannot connect to the database server (SQLSTATE %s)", store.ErrUnavailable, pe.Code)
	}
	var se *os.SyscallError
	switch {
	case pgconn.Timeout(ce) || errors.Is(ce, context.DeadlineExceeded):
		return fmt.Errorf("%w: cannot connect to the database server: timed out: %w", store.ErrUnavailable, context.DeadlineExceeded)
	case errors.As(ce, &se):
		// A system call's error ("connect: connection refused") names no
		// address, where the net.OpError around it does.
		return fmt.Errorf("%w: cannot connect to the database server: %v", store.ErrUnavailable, se)
	}
	return fmt.Errorf("%w: cannot connect to the database server", store.ErrUnavailable)
}

// lostConnection reports the errors of a connection that broke under a query.
func lostConnection(err error) bool {
	var oe *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &oe) || pgconn.SafeToRetry(err)
}
